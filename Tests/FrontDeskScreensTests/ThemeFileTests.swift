import Foundation
import FrontDeskScreens
import FrontDeskTerminal
import Testing

/// Themes compiled into the binary, a user's own themes, and settings read as real TOML.
@Suite struct ThemeFileTests {
    static let themesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes")

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("theme-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func theCompiledThemesAreTheFilesInThemesFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesFolder.path).filter { $0.hasSuffix(".toml") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(ShippedThemes.files.keys),
                "run scripts/generate-shipped-themes")
        for file in files {
            let text = try String(contentsOf: Self.themesFolder.appendingPathComponent(file), encoding: .utf8)
            #expect(ShippedThemes.files[String(file.dropLast(5))].map { $0 + "\n" } == text, "\(file): run scripts/generate-shipped-themes")
        }
    }

    @Test func theLightThemeIsFoundWithoutAThemesFolder() throws {
        let elsewhere = try Self.temporaryFolder()
        let loaded = ThemeLoader.load(name: "light", environment: ["HOME": elsewhere.path, "XDG_CONFIG_HOME": elsewhere.path])
        #expect(loaded.notice == nil)
        #expect(loaded.theme.name == "light")
        #expect(loaded.theme.style(for: .status) == Theme.Style(foreground: .white, background: .blue))
        #expect(loaded.theme.style(for: .footerKey) == Theme.Style(foreground: .yellow, background: .black, bold: true))
        #expect(loaded.theme != .builtInDark)
    }

    @Test(arguments: ["dark", "light", "high-contrast", "mono"])
    func everyShippedThemeReadsAsTOMLAsTheSimpleReaderReadsIt(_ name: String) throws {
        let text = try #require(ShippedThemes.files[name])
        let viaTOML = try ThemeLoader.parse(text, name: name, file: name)
        #expect(viaTOML.styles == (try Theme.parse(text, name: name, file: name)).styles)
        #expect(viaTOML.styles.count >= 10)
    }

    @Test func aUsersOwnThemeFileOverridesTheShippedOne() throws {
        let config = try Self.temporaryFolder()
        try FileManager.default.createDirectory(at: config.appendingPathComponent("frontdesk/themes"), withIntermediateDirectories: true)
        try "[roles]\nstatus = { fg = \"red\", bg = \"green\" } # the hotel's colours\n"
            .write(to: config.appendingPathComponent("frontdesk/themes/light.toml"), atomically: true, encoding: .utf8)
        let loaded = ThemeLoader.load(name: "light", environment: ["XDG_CONFIG_HOME": config.path])
        #expect(loaded.notice == nil)
        #expect(loaded.theme.style(for: .status) == Theme.Style(foreground: .red, background: .green))
        #expect(loaded.theme.styles.count == 1)
    }

    /// A user's theme file written before no-shows had a role of their own drew them as plain
    /// text: only the built-in reader fell back to the checked-out style, not the file reader.
    @Test func aUsersThemeFromBeforeNoShowsHadARoleDrawsThemAsCheckedOutStays() throws {
        let text = "[roles]\nplanCheckedOut = { fg = \"black\", bg = \"cyan\" }\n"
        let theme = try ThemeLoader.parse(text, name: "olddark", file: "olddark.toml")
        #expect(theme.style(for: .planNoShow) == Theme.Style(foreground: .black, background: .cyan))
        #expect(theme.styles == (try Theme.parse(text, name: "olddark", file: "olddark.toml")).styles)
    }

    @Test func aThemeWithAnUnknownRoleNamesItsLine() {
        let text = "[roles]\ntitle = { fg = \"cyan\" }\n\nsparkle = { bold = true }\n"
        #expect(throws: Theme.Problem(file: "odd.toml", line: 4,
                                      message: "unknown role 'sparkle' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")) {
            try ThemeLoader.parse(text, name: "odd", file: "odd.toml")
        }
    }

    @Test func aHashInsideAQuotedSettingIsKept() {
        let settings = DeskSettings.parse("# exports\nexport_dir = \"/srv/#1\" # the share\ntheme = 'light'\n", file: "config.toml")
        #expect(settings.exportDirectory == "/srv/#1")
        #expect(settings.theme == "light")
        #expect(settings.notice == nil)
    }

    @Test func escapesInASettingAreTOMLs() {
        let settings = DeskSettings.parse("export_dir = \"C:\\\\exports\\\\\\u00e9t\\u00e9\"\n", file: "config.toml")
        #expect(settings.exportDirectory == "C:\\exports\\été")
    }

    @Test func anInvalidSettingsFileIsReportedWithItsLineAndTheDefaultsApply() throws {
        let config = try Self.temporaryFolder()
        try FileManager.default.createDirectory(at: config.appendingPathComponent("frontdesk"), withIntermediateDirectories: true)
        let file = config.appendingPathComponent("frontdesk/config.toml")
        try "theme = \"light\"\npayment_url = \"http://127.0.0.1:8099\"\nexport_dir = /srv/unquoted\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let settings = DeskSettings.load(environment: ["XDG_CONFIG_HOME": config.path])
        #expect(settings.theme == nil && settings.paymentURL == nil && settings.exportDirectory == nil)
        #expect(settings.notice?.hasPrefix("\(file.path) line 3: ") == true)
        #expect(settings.notice?.hasSuffix("; using the default settings") == true)
    }

    @Test func anUnknownOrMistypedSettingIsNamedWithItsLine() {
        let settings = DeskSettings.parse("theme = \"light\"\n\ncolour = \"blue\"\n", file: "config.toml")
        #expect(settings.theme == "light")
        #expect(settings.notice == "config.toml line 3: unknown setting 'colour' (settings: theme, payment_url, export_dir)")
        let mistyped = DeskSettings.parse("payment_url = 8089\n", file: "config.toml")
        #expect(mistyped.paymentURL == nil)
        #expect(mistyped.notice?.hasPrefix("config.toml line 1: payment_url must be a quoted text") == true)
    }
}
