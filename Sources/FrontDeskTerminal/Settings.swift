import Foundation
import FrontDeskScreens

/// The desk's settings file: `$XDG_CONFIG_HOME/frontdesk/config.toml`, else
/// `~/.config/frontdesk/config.toml`. Lines `key = "value"`: `theme`, `payment_url`, `export_dir`.
public struct DeskSettings: Sendable {
    public var theme: String?
    public var paymentURL: String?
    /// Where the dashboard writes its CSV files; FRONTDESK_EXPORT_DIR overrides it, and without
    /// either they go to the current directory.
    public var exportDirectory: String?
    /// A problem reading the file, for the receptionist to see; the rest still applies.
    public var notice: String?

    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> DeskSettings {
        var settings = readFile(environment: environment)
        if let folder = environment["FRONTDESK_EXPORT_DIR"], !folder.isEmpty { settings.exportDirectory = folder }
        return settings
    }

    private static func readFile(environment: [String: String]) -> DeskSettings {
        var settings = DeskSettings()
        let folder = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        let path = folder + "/frontdesk/config.toml"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return settings }
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            let pair = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let value = pair.count == 2 ? pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
            switch pair.first {
            case "theme" where !value.isEmpty: settings.theme = value
            case "payment_url" where !value.isEmpty: settings.paymentURL = value
            case "export_dir" where !value.isEmpty: settings.exportDirectory = value
            default:
                settings.notice = settings.notice
                    ?? "\(path) line \(index + 1): expected theme = \"name\", payment_url = \"http://...\" or export_dir = \"/path\""
            }
        }
        return settings
    }
}

/// Finds and reads theme files; a missing or broken one falls back to the built-in dark theme,
/// with a notice that names the file and line.
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
                return (try Theme.parse(text, name: name, file: path), nil)
            } catch {
                return (.builtInDark, "\(error); using the dark theme")
            }
        }
        return (.builtInDark, "theme '\(name)' not found (looked in \(folders(environment).joined(separator: ", "))); using the dark theme")
    }

    /// `$FRONTDESK_THEMES`, `./themes`, the `themes` folder of the checkout the binary was built in,
    /// and `~/.config/frontdesk/themes`.
    static func folders(_ environment: [String: String]) -> [String] {
        var folders: [String] = []
        if let configured = environment["FRONTDESK_THEMES"], !configured.isEmpty { folders.append(configured) }
        folders.append(FileManager.default.currentDirectoryPath + "/themes")
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        folders.append(executable.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("themes").path)
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        folders.append(config + "/frontdesk/themes")
        var seen = Set<String>()
        return folders.filter { seen.insert(URL(fileURLWithPath: $0).standardized.path).inserted }
    }
}
