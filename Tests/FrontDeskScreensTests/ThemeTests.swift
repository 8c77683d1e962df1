import Foundation
import FrontDeskScreens
import FrontDeskTerminal
import Testing

@Suite struct ThemeTests {
    static let themesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes")

    @Test(arguments: ["dark", "light", "high-contrast", "mono"])
    func everyShippedThemeReads(_ name: String) throws {
        let path = Self.themesFolder.appendingPathComponent("\(name).toml").path
        let theme = try Theme.parse(try String(contentsOfFile: path, encoding: .utf8), name: name, file: path)
        #expect(theme.styles.count >= 10)
        #expect(theme.style(for: .selected) != theme.style(for: .normal))
    }

    @Test func theShippedDarkAndMonoFilesAreTheBuiltInThemes() throws {
        for (name, builtIn) in [("dark", Theme.builtInDark), ("mono", Theme.monochrome)] {
            let path = Self.themesFolder.appendingPathComponent("\(name).toml").path
            #expect(try Theme.parse(try String(contentsOfFile: path, encoding: .utf8), name: name, file: path).styles == builtIn.styles)
        }
    }

    @Test func aBrokenThemeNamesTheFileAndLine() {
        let text = "[roles]\ntitle = { fg = \"cyan\" }\nstatus = { fg = \"purpel\" }\n"
        #expect(throws: Theme.Problem(file: "themes/odd.toml", line: 3,
                                      message: "unknown colour 'purpel' (use default, black, red, green, yellow, blue, magenta, cyan, white)")) {
            try Theme.parse(text, name: "odd", file: "themes/odd.toml")
        }
        #expect(throws: Theme.Problem.self) { try Theme.parse("sparkle = { bold = true }", name: "x", file: "x.toml") }
        #expect(throws: Theme.Problem.self) { try Theme.parse("title = bold", name: "x", file: "x.toml") }
    }

    @Test func aBrokenOrMissingThemeFileFallsBackToDarkWithANotice() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "[roles]\nheader = { fg = \"yellow\", bold = maybe }\n".write(to: folder.appendingPathComponent("odd.toml"), atomically: true, encoding: .utf8)
        let broken = ThemeLoader.load(name: "odd", environment: ["FRONTDESK_THEMES": folder.path, "HOME": folder.path])
        #expect(broken.theme == .builtInDark)
        #expect(broken.notice?.hasPrefix("\(folder.path)/odd.toml line 2: ") == true)
        #expect(broken.notice?.hasSuffix("; using the dark theme") == true)
        // A broken override of a shipped theme falls back to that theme, not to dark.
        try "[roles]\nheader = { fg = \"yellow\", bold = maybe }\n".write(to: folder.appendingPathComponent("light.toml"), atomically: true, encoding: .utf8)
        let brokenLight = ThemeLoader.load(name: "light", environment: ["FRONTDESK_THEMES": folder.path, "HOME": folder.path])
        #expect(brokenLight.theme == ThemeLoader.load(name: "light", environment: ["HOME": folder.path]).theme)
        #expect(brokenLight.theme != .builtInDark)
        #expect(brokenLight.notice?.hasSuffix("; using the built-in light theme") == true)
        let missing = ThemeLoader.load(name: "nonesuch", environment: ["FRONTDESK_THEMES": folder.path, "HOME": folder.path])
        #expect(missing.theme == .builtInDark)
        #expect(missing.notice?.hasPrefix("theme 'nonesuch' not found") == true)
        let sneaky = ThemeLoader.load(name: "../../etc/passwd", environment: ["HOME": folder.path])
        #expect(sneaky.notice?.contains("is not a theme name") == true)
    }

    @Test func noColorMeansTheMonochromeTheme() {
        #expect(ThemeLoader.load(name: "light", environment: ["NO_COLOR": "1"]).theme == .monochrome)
    }

    @Test func theSettingsFileChoosesTheThemeAndPaymentService() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("frontdesk"), withIntermediateDirectories: true)
        try "# desk 3\ntheme = \"light\"\npayment_url = \"http://127.0.0.1:8099\"\n"
            .write(to: home.appendingPathComponent("frontdesk/config.toml"), atomically: true, encoding: .utf8)
        let settings = DeskSettings.load(environment: ["XDG_CONFIG_HOME": home.path])
        #expect(settings.theme == "light")
        #expect(settings.paymentURL == "http://127.0.0.1:8099")
        #expect(settings.notice == nil)
    }
}
