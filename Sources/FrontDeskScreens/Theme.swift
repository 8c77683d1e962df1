import Foundation

/// Colours and attributes for each role. Theme files (`themes/*.toml`) hold one line per role:
///
///     [roles]
///     status = { fg = "black", bg = "cyan", bold = true }
///
/// Colours: default, black, red, green, yellow, blue, magenta, cyan, white.
/// Attributes: bold, underline, reverse, dim (true or false). Roles not named keep the default.
public struct Theme: Hashable, Sendable {
    public enum Color: String, CaseIterable, Hashable, Sendable {
        case `default`, black, red, green, yellow, blue, magenta, cyan, white
    }

    public struct Style: Hashable, Sendable {
        public var foreground = Color.default
        public var background = Color.default
        public var bold = false
        public var underline = false
        public var reverse = false
        public var dim = false

        public init(foreground: Color = .default, background: Color = .default, bold: Bool = false,
                    underline: Bool = false, reverse: Bool = false, dim: Bool = false) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.underline = underline
            self.reverse = reverse
            self.dim = dim
        }
    }

    public var name: String
    public var styles: [Role: Style]

    public func style(for role: Role) -> Style { styles[role] ?? Style() }

    /// A theme file could not be read; says where, so it can be fixed.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let message: String
        public var description: String { "\(file) line \(line): \(message)" }

        public init(file: String, line: Int, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }
    }

    /// Reads a theme file's text. The first problem stops it, with the file and line.
    public static func parse(_ text: String, name: String, file: String) throws(Problem) -> Theme {
        var theme = Theme(name: name, styles: [:])
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty || line == "[roles]" { continue }
            func problem(_ message: String) -> Problem { Problem(file: file, line: lineNumber, message: message) }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw problem("expected `role = { fg = \"colour\", ... }`") }
            guard let role = Role(rawValue: parts[0]) else {
                throw problem("unknown role '\(parts[0])' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard parts[1].hasPrefix("{"), parts[1].hasSuffix("}") else { throw problem("the style must be in { braces }") }
            var style = Style()
            for setting in parts[1].dropFirst().dropLast().split(separator: ",") {
                let pair = setting.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { throw problem("expected `key = value` in '\(setting.trimmingCharacters(in: .whitespaces))'") }
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                switch pair[0] {
                case "fg", "bg":
                    guard let color = Color(rawValue: value) else {
                        throw problem("unknown colour '\(value)' (use \(Color.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    if pair[0] == "fg" { style.foreground = color } else { style.background = color }
                case "bold", "underline", "reverse", "dim":
                    guard value == "true" || value == "false" else { throw problem("\(pair[0]) must be true or false") }
                    let on = value == "true"
                    switch pair[0] {
                    case "bold": style.bold = on
                    case "underline": style.underline = on
                    case "reverse": style.reverse = on
                    default: style.dim = on
                    }
                default:
                    throw problem("unknown setting '\(pair[0])' (use fg, bg, bold, underline, reverse, dim)")
                }
            }
            theme.styles[role] = style
        }
        theme.fillRolesAddedLater()
        return theme
    }

    /// Roles added after themes were written, in a theme that does not name them: no-shows are
    /// drawn as checked-out stays, as before, rather than as plain text. Every theme reader
    /// (this one and the TOML files' `ThemeLoader`) calls it, so an older file draws alike.
    public mutating func fillRolesAddedLater() {
        if styles[.planNoShow] == nil, let checkedOut = styles[.planCheckedOut] {
            styles[.planNoShow] = checkedOut
        }
    }

    /// The dark theme, built in so the desk has colours even without its `themes/` folder.
    public static let builtInDark: Theme = (try? parse(darkText, name: "dark", file: "built-in dark theme"))!

    /// Without colours (NO_COLOR, a monochrome terminal): roles told apart by attributes only.
    public static let monochrome: Theme = (try? parse(monoText, name: "mono", file: "built-in mono theme"))!

    /// The shipped mono theme (`themes/mono.toml`, compiled in).
    static let monoText = ShippedThemes.files["mono"] ?? ""

    /// The shipped dark theme (`themes/dark.toml`, compiled in): the default, and the fallback.
    static let darkText = ShippedThemes.files["dark"] ?? ""
}
