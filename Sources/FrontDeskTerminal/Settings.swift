import Foundation
import FrontDeskScreens
import TOMLKit

/// The desk's settings file: `$XDG_CONFIG_HOME/frontdesk/config.toml`, else
/// `~/.config/frontdesk/config.toml`, read as TOML: `theme`, `payment_url`, `export_dir` (strings).
public struct DeskSettings: Sendable {
    public var theme: String?
    public var paymentURL: String?
    /// Where the dashboard writes its CSV files; FRONTDESK_EXPORT_DIR overrides it, and without
    /// either they go to the current directory.
    public var exportDirectory: String?
    /// A problem reading the file, for the receptionist to see. A file that is not TOML is not
    /// used at all (the defaults apply); an unknown key or a wrong type skips that setting only.
    public var notice: String?

    public init(theme: String? = nil, paymentURL: String? = nil, exportDirectory: String? = nil, notice: String? = nil) {
        self.theme = theme
        self.paymentURL = paymentURL
        self.exportDirectory = exportDirectory
        self.notice = notice
    }

    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> DeskSettings {
        var settings = readFile(environment: environment)
        if let folder = environment["FRONTDESK_EXPORT_DIR"], !folder.isEmpty { settings.exportDirectory = folder }
        return settings
    }

    /// `$XDG_CONFIG_HOME/frontdesk`, else `~/.config/frontdesk`.
    public static func configFolder(_ environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.config")
        return base + "/frontdesk"
    }

    /// The settings file itself: `configFolder` + `/config.toml`.
    public static func filePath(_ environment: [String: String]) -> String {
        configFolder(environment) + "/config.toml"
    }

    private static func readFile(environment: [String: String]) -> DeskSettings {
        let path = filePath(environment)
        guard FileManager.default.fileExists(atPath: path) else { return DeskSettings() }
        // There but unreadable (a folder, other bytes than UTF-8, no permission): said, not taken
        // for "not set up", which sends whoever keeps the desk after the wrong cause.
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return DeskSettings(notice: "\(path) cannot be read as a text file; using the default settings")
        }
        return parse(text, file: path)
    }

    /// Reads a settings file's text; `file` names it in notices.
    public static func parse(_ text: String, file: String) -> DeskSettings {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch {
            return DeskSettings(notice: "\(TOMLText.describe(error, file: file)); using the default settings")
        }
        var settings = DeskSettings()
        var problems: [String] = []
        for key in table.keys.sorted(by: { TOMLText.line(of: $0, in: text) < TOMLText.line(of: $1, in: text) }) {
            let value = table[key]?.string
            let place = "\(file) line \(TOMLText.line(of: key, in: text))"
            switch key {
            case "theme", "payment_url", "export_dir":
                guard let value, !value.isEmpty else {
                    problems.append("\(place): \(key) must be a quoted text, e.g. \(key) = \"\(Self.example(key))\"")
                    continue
                }
                if key == "theme" { settings.theme = value } else if key == "payment_url" { settings.paymentURL = value } else {
                    settings.exportDirectory = value
                }
            default:
                problems.append("\(place): unknown setting '\(key)' (settings: theme, payment_url, export_dir)")
            }
        }
        settings.notice = problems.first
        return settings
    }

    static func example(_ key: String) -> String {
        switch key {
        case "theme": "light"
        case "payment_url": "http://127.0.0.1:8089"
        default: "/srv/exports"
        }
    }
}

/// Where in a TOML text a problem is, for notices that name a line.
enum TOMLText {
    static func describe(_ error: any Error, file: String) -> String {
        if let parse = error as? TOMLParseError {
            return "\(file) line \(parse.source.begin.line): \(parse.description)"
        }
        return "\(file): \(error)"
    }

    /// The first line that sets `key` (1-based), else 1.
    static func line(of key: String, in text: String) -> Int {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            for spelled in [key, "\"\(key)\""] where line.hasPrefix(spelled) {
                let rest = line.dropFirst(spelled.count).drop { $0 == " " || $0 == "\t" }
                if rest.hasPrefix("=") { return index + 1 }
            }
        }
        return 1
    }
}

/// Finds and reads themes: a user's own file in `$XDG_CONFIG_HOME/frontdesk/themes/NAME.toml`
/// (or `$FRONTDESK_THEMES/NAME.toml`) first, else the themes compiled into the binary
/// (`ShippedThemes`, from the checkout's `themes/`), so a theme works wherever the binary runs.
/// A missing or broken theme falls back to the built-in dark theme (a broken override of a shipped
/// theme to that shipped theme), with a notice that names the file and line.
public enum ThemeLoader {
    public static func load(name: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> (theme: Theme, notice: String?) {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return (.monochrome, nil) }
        guard let name, !name.isEmpty else { return (.builtInDark, nil) }
        let safe = name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        guard safe == name else { return (.builtInDark, "theme '\(name.prefix(40))' is not a theme name; using the dark theme") }
        for folder in folders(environment) {
            let path = folder + "/\(name).toml"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            do {
                return (try parse(text, name: name, file: path), nil)
            } catch {
                // A broken override of a shipped theme falls back to that theme, not to dark.
                if let shipped = ShippedThemes.files[name], let theme = try? parse(shipped, name: name, file: "built-in \(name) theme") {
                    return (theme, "\(error); using the built-in \(name) theme")
                }
                return (.builtInDark, "\(error); using the dark theme")
            }
        }
        if let shipped = ShippedThemes.files[name] {
            do {
                return (try parse(shipped, name: name, file: "built-in \(name) theme"), nil)
            } catch {
                return (.builtInDark, "\(error); using the dark theme")
            }
        }
        let known = ShippedThemes.files.keys.sorted().joined(separator: ", ")
        return (.builtInDark, "theme '\(name)' not found (built in: \(known); own themes in \(folders(environment).joined(separator: ", "))); using the dark theme")
    }

    /// `$FRONTDESK_THEMES`, then `$XDG_CONFIG_HOME/frontdesk/themes` (default `~/.config/frontdesk/themes`).
    static func folders(_ environment: [String: String]) -> [String] {
        var folders: [String] = []
        if let configured = environment["FRONTDESK_THEMES"], !configured.isEmpty { folders.append(configured) }
        folders.append(DeskSettings.configFolder(environment) + "/themes")
        var seen = Set<String>()
        return folders.filter { seen.insert(URL(fileURLWithPath: $0).standardized.path).inserted }
    }

    /// Reads a theme file as TOML: a `[roles]` table of `role = { fg = "colour", bg = "colour", bold = true, ... }`.
    /// The first problem stops it, with the file and line.
    public static func parse(_ text: String, name: String, file: String) throws(Theme.Problem) -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Theme.Problem(file: file, line: error.source.begin.line, message: error.description)
        } catch {
            throw Theme.Problem(file: file, line: 1, message: "\(error)")
        }
        func problem(_ key: String, _ message: String) -> Theme.Problem {
            Theme.Problem(file: file, line: TOMLText.line(of: key, in: text), message: message)
        }
        var theme = Theme.monochrome
        theme.name = name
        theme.styles = [:]
        for key in table.keys where key != "roles" {
            throw problem(key, "unknown key '\(key)' (a theme holds one [roles] table)")
        }
        guard let roles = table["roles"]?.table else {
            throw Theme.Problem(file: file, line: 1, message: "no [roles] table")
        }
        for roleName in roles.keys {
            guard let role = FrontDeskScreens.Role(rawValue: roleName) else {
                throw problem(roleName, "unknown role '\(roleName)' (roles: \(FrontDeskScreens.Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let settings = roles[roleName]?.table else {
                throw problem(roleName, "the style must be a table: \(roleName) = { fg = \"colour\", ... }")
            }
            var style = Theme.Style()
            for setting in settings.keys {
                let value = settings[setting]
                switch setting {
                case "fg", "bg":
                    guard let color = value?.string.flatMap(Theme.Color.init(rawValue:)) else {
                        throw problem(roleName, "\(roleName): unknown colour for \(setting) (use \(Theme.Color.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    if setting == "fg" { style.foreground = color } else { style.background = color }
                case "bold", "underline", "reverse", "dim":
                    guard let on = value?.bool else { throw problem(roleName, "\(roleName): \(setting) must be true or false") }
                    switch setting {
                    case "bold": style.bold = on
                    case "underline": style.underline = on
                    case "reverse": style.reverse = on
                    default: style.dim = on
                    }
                default:
                    throw problem(roleName, "\(roleName): unknown setting '\(setting)' (use fg, bg, bold, underline, reverse, dim)")
                }
            }
            theme.styles[role] = style
        }
        theme.fillRolesAddedLater()
        return theme
    }
}
