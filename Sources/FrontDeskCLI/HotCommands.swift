import ArgumentParser
import Foundation

/// `search` and `book`, the commands scripts and other programs run most, read from the command
/// line without ArgumentParser when the command line is plain: ArgumentParser builds its whole
/// command tree by reflection before it parses anything (`Mirror`, generic metadata, and protocol
/// conformance scans over every conformance record in the binary), a few milliseconds of every
/// start (BENCHMARKS.md, issue 10).
///
/// Plain means: the command's name first, then only its own `--name value` options and `--flag`s,
/// each at most once, every value non-empty and not starting with `-`, and every number a number.
/// Anything else (`--name=value`, a repeated option, an unknown option, a missing or odd value,
/// `--help`, a positional argument, `--`) returns nil and goes to ArgumentParser, which accepts it
/// or reports it exactly as before. A plain command line builds the same command value
/// ArgumentParser builds, and that value runs the same way: the output cannot differ.
enum HotCommands {
    /// The command for a plain command line of `search` or `book`; nil for anything else.
    static func command(for arguments: [String]) -> (any ParsableCommand)? {
        guard let name = arguments.first else { return nil }
        let rest = arguments.dropFirst()
        switch name {
        case "search": return search(rest)
        case "book": return book(rest)
        default: return nil
        }
    }

    // Arrays, not sets or dictionaries: a `Set<String>` made here would be the process's first,
    // and its generic metadata can cost a scan of the binary's protocol conformance records.
    static let commonOptions = ["--db", "--user"]
    static let commonFlags = ["--json"]

    static func search(_ arguments: ArraySlice<String>) -> Search? {
        guard let values = plainValues(arguments, options: commonOptions + ["--check-in", "--check-out", "--nights", "--guests"],
                                       flags: commonFlags)
        else { return nil }
        var nights: Int?
        if let text = values["--nights"] {
            guard let number = Int(text) else { return nil } // ArgumentParser words the error
            nights = number
        }
        var command = Search()
        command.common = common(values)
        command.checkIn = values["--check-in"]
        command.checkOut = values["--check-out"]
        command.nights = nights
        command.guests = values["--guests"] ?? "1"
        return command
    }

    static func book(_ arguments: ArraySlice<String>) -> Book? {
        let options = ["--room", "--check-in", "--check-out", "--guests", "--guest-name", "--email", "--phone",
                                    "--request-id", "--payment", "--card"]
        guard let values = plainValues(arguments, options: commonOptions + options, flags: commonFlags + ["--wait"])
        else { return nil }
        var command = Book()
        command.common = common(values)
        command.room = values["--room"] ?? ""
        command.checkIn = values["--check-in"] ?? ""
        command.checkOut = values["--check-out"] ?? ""
        command.guests = values["--guests"] ?? ""
        command.guestName = values["--guest-name"] ?? ""
        command.email = values["--email"] ?? ""
        command.phone = values["--phone"] ?? ""
        command.requestId = values["--request-id"]
        command.payment = values["--payment"] ?? "desk"
        command.card = values["--card"]
        command.wait = values["--wait"] != nil
        return command
    }

    static func common(_ values: Values) -> CommonOptions {
        var common = CommonOptions()
        common.db = values["--db"]
        common.user = values["--user"]
        common.json = values["--json"] != nil
        return common
    }

    /// The options and flags of a plain command line, by name; a flag's value is empty.
    struct Values {
        var pairs: [(name: String, value: String)] = []
        subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }
    }

    /// `--name value` pairs and `--flag`s, or nil unless every argument is one of them, each name
    /// at most once, each value non-empty and not an option.
    static func plainValues(_ arguments: ArraySlice<String>, options: [String], flags: [String]) -> Values? {
        var values = Values()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let name = arguments[index]
            guard values[name] == nil else { return nil }
            if flags.contains(name) {
                values.pairs.append((name, ""))
                index += 1
            } else if options.contains(name) {
                guard index + 1 < arguments.endIndex else { return nil }
                let value = arguments[index + 1]
                guard let first = value.utf8.first, first != UInt8(ascii: "-") else { return nil }
                values.pairs.append((name, value))
                index += 2
            } else {
                return nil
            }
        }
        return values
    }
}
