import Foundation
import FrontDeskDomain
import FrontDeskStore
import GRDB
import Testing

/// `scripts/install` with the binaries this test run already built (`--from-build-dir`, no release
/// build): into a temporary prefix, with HOME and the XDG folders in a temporary folder too.
struct Installation {
    let folder: URL
    var prefix: URL { folder.appendingPathComponent("prefix") }
    var home: URL { folder.appendingPathComponent("home") }
    var elsewhere: URL { folder.appendingPathComponent("elsewhere") }

    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var buildFolder: URL { CLIHarness.binary.deletingLastPathComponent() }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-install-\(UUID().uuidString)")
        for made in [folder, home, elsewhere] { try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true) }
    }

    /// What a user's shell would have: their own HOME and XDG folders, no FRONTDESK_* settings.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FRONTDESK_") && !$0.key.hasPrefix("XDG_") }
        environment["HOME"] = home.path
        environment["XDG_DATA_HOME"] = home.appendingPathComponent("data").path
        environment["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        environment["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        environment["LC_ALL"] = "C.UTF-8"
        return environment
    }

    @discardableResult
    func install(_ arguments: String...) throws -> CLIHarness.Outcome {
        try run(Self.checkout.appendingPathComponent("scripts/install").path,
                ["--prefix", prefix.path, "--from-build-dir", Self.buildFolder.path] + arguments)
    }

    @discardableResult
    func uninstall() throws -> CLIHarness.Outcome {
        try run(Self.checkout.appendingPathComponent("scripts/install").path, ["--uninstall", "--prefix", prefix.path])
    }

    /// Runs a program in the folder `elsewhere` (not the checkout).
    func run(_ program: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> CLIHarness.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
        process.arguments = program.hasPrefix("/") ? arguments : [program] + arguments
        process.currentDirectoryURL = elsewhere
        process.environment = environment.merging(extra) { $1 }
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return CLIHarness.finish((process, out, err))
    }

    /// Every file and folder under `root`, with each file's bytes, to compare before and after.
    static func snapshot(of root: URL) -> [String: Data] {
        var entries: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return entries }
        while let path = walker.nextObject() as? String {
            let full = root.appendingPathComponent(path).path
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: full, isDirectory: &isFolder)
            entries[path] = isFolder.boolValue ? Data("folder".utf8) : FileManager.default.contents(atPath: full) ?? Data()
        }
        return entries
    }

    static func installed(_ tool: String) -> Bool {
        ["/usr/bin", "/bin", "/usr/local/bin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }
}

@Suite struct VersionTests {
    @Test func versionPrintsTheReleaseAndTheSchemaItWrites() throws {
        let cli = try CLIHarness()
        let outcome = try cli.run("--version")
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "frontdesk \(FrontDeskVersion.current) (database schema \(FrontDeskStore.schemaVersion))\n")
        #expect(FrontDeskVersion.current.wholeMatch(of: /\d+\.\d+\.\d+/) != nil, "semantic version: \(FrontDeskVersion.current)")

        // The schema number it prints is the one it writes into a new database.
        try cli.smallHotel()
        let written = try DatabaseQueue(path: cli.database).read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        #expect(written == FrontDeskStore.schemaVersion)
    }
}

@Suite struct InstallTests {
    @Test func theInstalledBinaryRunsFromAnotherFolderOnTheXDGDatabase() throws {
        let installation = try Installation()
        let outcome = try installation.install()
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("Installed frontdesk \(FrontDeskVersion.current)"), "\(outcome.stdout)")
        for path in ["bin/frontdesk", "share/man/man1/frontdesk.1", "share/bash-completion/completions/frontdesk",
                     "share/zsh/site-functions/_frontdesk", "share/fish/vendor_completions.d/frontdesk.fish"] {
            #expect(outcome.stdout.contains(path), "not reported: \(path)")
        }
        let frontdesk = installation.prefix.appendingPathComponent("bin/frontdesk").path

        let version = try installation.run(frontdesk, ["--version"])
        #expect(version.stdout == "frontdesk \(FrontDeskVersion.current) (database schema \(FrontDeskStore.schemaVersion))\n")

        // No --db and no FRONTDESK_DB: the database is the XDG one, whatever the current folder.
        let today = ["FRONTDESK_TODAY": "2026-11-26"]
        let demo = try installation.run(frontdesk, ["demo", "--rooms", "12", "--days", "30"], environment: today)
        #expect(demo.status == 0, "\(demo.stderr)")
        let database = installation.home.appendingPathComponent("data/frontdesk/frontdesk.sqlite").path
        #expect(FileManager.default.fileExists(atPath: database))
        let search = try installation.run(frontdesk, ["search", "--json", "--nights", "2"], environment: today)
        #expect(search.status == 0, "\(search.stderr)")
        let rooms = try #require(try search.json["rooms"] as? [[String: Any]])
        #expect(!rooms.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: installation.elsewhere.path).isEmpty,
                "nothing is written into the current folder")
    }

    @Test func anInstalledFrontdeskTakesACardPaymentThroughTheHelperBesideIt() throws {
        let installation = try Installation()
        #expect(try installation.install().status == 0)
        let frontdesk = installation.prefix.appendingPathComponent("bin/frontdesk").path
        let cli = try CLIHarness()
        let (simulator, url) = try cli.startPaymentSimulator()
        defer { simulator.terminate(); simulator.waitUntilExit() }
        // No FRONTDESK_NET_HELPER: only the frontdesk-net in the prefix's bin can carry the call.
        let environment = ["FRONTDESK_TODAY": "2026-11-26", "FRONTDESK_PAYMENT_URL": url]
        #expect(try installation.run(frontdesk, ["demo", "--rooms", "12", "--days", "30"], environment: environment).status == 0)
        let search = try installation.run(frontdesk, ["search", "--json", "--nights", "2"], environment: environment)
        let room = try #require((try search.json["rooms"] as? [[String: Any]])?.first?["roomNumber"] as? String)

        let booked = try installation.run(frontdesk, [
            "book", "--room", room, "--check-in", "2026-11-26", "--check-out", "2026-11-28", "--guests", "1",
            "--guest-name", "Ann Lee", "--email", "ann@example.com", "--payment", "card", "--card", "4242424242424242",
            "--wait", "--json",
        ], environment: environment)
        #expect(booked.status == 0, "\(booked.stderr)")
        #expect(try booked.json["status"] as? String == "Confirmed", "\(booked.stdout)")
    }

    @Test func theInstalledServerPrintsTheSameVersionAndHasCompletions() throws {
        let installation = try Installation()
        #expect(try installation.install().status == 0)
        let server = installation.prefix.appendingPathComponent("bin/frontdesk-server").path
        let version = try installation.run(server, ["--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout == "frontdesk-server \(FrontDeskVersion.current) (database schema \(FrontDeskStore.schemaVersion))\n")
        let bash = installation.prefix.appendingPathComponent("share/bash-completion/completions/frontdesk-server").path
        let loaded = try installation.run("bash", ["-c", "source '\(bash)' && complete -p frontdesk-server"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        for path in ["share/zsh/site-functions/_frontdesk-server", "share/fish/vendor_completions.d/frontdesk-server.fish"] {
            #expect(FileManager.default.fileExists(atPath: installation.prefix.appendingPathComponent(path).path), "\(path)")
        }
    }

    @Test func everyShippedProgramDeclaredInThePackageIsInstalledBesideFrontdesk() throws {
        let installation = try Installation()
        #expect(try installation.install().status == 0)
        let listed = try installation.run(Installation.checkout.appendingPathComponent("scripts/build-release").path, ["--list"])
        let programs = listed.stdout.split(separator: "\n").map(String.init)
        #expect(programs.first == "frontdesk")
        let bin = installation.prefix.appendingPathComponent("bin")
        #expect(try FileManager.default.contentsOfDirectory(atPath: bin.path).sorted() == programs.sorted())
        for program in programs {
            #expect(FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent(program).path), "\(program)")
        }
    }

    @Test func theCompletionScriptsLoadInTheirShells() throws {
        let installation = try Installation()
        #expect(try installation.install().status == 0)
        let bash = installation.prefix.appendingPathComponent("share/bash-completion/completions/frontdesk").path
        let syntax = try installation.run("bash", ["-n", bash])
        #expect(syntax.status == 0, "\(syntax.stderr)")
        let loaded = try installation.run("bash", ["-c", "source '\(bash)' && complete -p frontdesk"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout.contains("-F _frontdesk frontdesk"), "\(loaded.stdout)")

        let zsh = try String(contentsOf: installation.prefix.appendingPathComponent("share/zsh/site-functions/_frontdesk"), encoding: .utf8)
        #expect(zsh.hasPrefix("#compdef frontdesk"))
        let fish = try String(contentsOf: installation.prefix.appendingPathComponent("share/fish/vendor_completions.d/frontdesk.fish"),
                              encoding: .utf8)
        #expect(fish.contains("complete -c 'frontdesk'"))
        for (shell, script) in [("zsh", "share/zsh/site-functions/_frontdesk"), ("fish", "share/fish/vendor_completions.d/frontdesk.fish")]
            where Installation.installed(shell) {
            let checked = try installation.run(shell, ["-n", installation.prefix.appendingPathComponent(script).path])
            #expect(checked.status == 0, "\(shell): \(checked.stderr)")
        }
    }

    @Test(.enabled(if: Installation.installed("man"), "man is not installed (Debian: apt-get install man-db)"))
    func theManPageRendersWithManAndNoWarnings() throws {
        let installation = try Installation()
        #expect(try installation.install().status == 0)
        let page = installation.prefix.appendingPathComponent("share/man/man1/frontdesk.1").path
        let rendered = try installation.run("man", ["--warnings", "-l", page], environment: ["MANWIDTH": "100", "MANPAGER": "cat"])
        #expect(rendered.status == 0)
        #expect(rendered.stderr.isEmpty, "\(rendered.stderr)")
        for heading in ["NAME", "SYNOPSIS", "COMMANDS", "KEYS", "ENVIRONMENT", "EXIT STATUS", "VERSION"] {
            #expect(rendered.stdout.contains("\n\(heading)\n"), "no \(heading) section")
        }
        #expect(rendered.stdout.contains("frontdesk - a keyboard-first front desk for hotels"))
        #expect(rendered.stdout.contains("frontdesk search [--db db]"), "every command with its options")
        #expect(rendered.stdout.contains("--check-in check-in"))
        #expect(rendered.stdout.contains("frontdesk rooms add"))
        #expect(rendered.stdout.contains("F10, Ctrl-Q"), "the desk's keys, from its command table")
        #expect(rendered.stdout.contains("database schema \(FrontDeskStore.schemaVersion)"))
        #expect(!rendered.stdout.contains("generate-manual"), "the hidden command stays hidden")
        // Every key group under a heading in words (two showed the code's names), every exit code the desk uses.
        #expect(rendered.stdout.contains("Conflicts (F8)") && !rendered.stdout.contains("movePrompt"), "\(rendered.stdout)")
        #expect(rendered.stdout.contains("card_offline") && rendered.stdout.contains("outcome_unknown"))
    }

    @Test func uninstallLeavesThePrefixAsItWasAfterAnInstallAndAnUpgrade() throws {
        let installation = try Installation()
        // A prefix in use: another program, another man page.
        let manFolder = installation.prefix.appendingPathComponent("share/man/man1")
        try FileManager.default.createDirectory(at: manFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: installation.prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try Data("#!/bin/sh\n".utf8).write(to: installation.prefix.appendingPathComponent("bin/other-tool"))
        try Data(".TH OTHER 1\n".utf8).write(to: manFolder.appendingPathComponent("other.1"))
        let before = Installation.snapshot(of: installation.prefix)

        #expect(try installation.install().status == 0)
        let manifest = try String(contentsOf: installation.prefix.appendingPathComponent("share/frontdesk/install-manifest"),
                                  encoding: .utf8)
        #expect(manifest.contains("file bin/frontdesk\n"))
        #expect(manifest.contains("file share/man/man1/frontdesk.1\n"))
        #expect(!manifest.contains("dir share/man"), "share/man was there before")
        #expect(!manifest.contains("dir bin"), "bin was there before")
        // Again, as an upgrade: the same files, in place, and the manifest still knows its folders.
        let upgrade = try installation.install()
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(try String(contentsOf: installation.prefix.appendingPathComponent("share/frontdesk/install-manifest"), encoding: .utf8)
                == manifest)

        let removed = try installation.uninstall()
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout.contains("removed bin/frontdesk"))
        #expect(Installation.snapshot(of: installation.prefix) == before)
        // The user's database, settings and log folders were never made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: installation.home.path).isEmpty)
    }

    @Test func uninstallRemovesAPrefixTheInstallCreated() throws {
        let installation = try Installation()
        #expect(try installation.install().status == 0)
        #expect(try installation.uninstall().status == 0)
        #expect(!FileManager.default.fileExists(atPath: installation.prefix.path))
        let again = try installation.uninstall()
        #expect(again.status == 0)
        #expect(again.stdout.contains("Nothing to uninstall"))
    }
}
