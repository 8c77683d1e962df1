import Foundation
import FrontDeskTestSupport
import Testing

/// A copy of the binary, moved away from the checkout and run from another folder, still has
/// its themes: they are compiled in.
@Suite struct ThemeAnywhereTests {
    @Test func aMovedBinaryRunFromAnotherFolderUsesTheLightTheme() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let elsewhere = cli.folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let moved = elsewhere.appendingPathComponent("frontdesk")
        try FileManager.default.copyItem(at: CLIHarness.binary, to: moved)

        // Without a terminal the desk stops at once, but first reads its theme: no notice.
        let process = Process()
        process.executableURL = moved
        process.arguments = ["--theme", "light"]
        process.currentDirectoryURL = elsewhere
        process.environment = cli.environment.merging(["HOME": elsewhere.path, "XDG_CONFIG_HOME": elsewhere.path,
                                                       "XDG_STATE_HOME": elsewhere.path, "TERM": "dumb"]) { $1 }
            .filter { $0.key != "NO_COLOR" }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        process.standardInput = FileHandle.nullDevice
        // The copy may still be open for writing in a child that another test forked meanwhile
        // (it inherits the descriptor until it execs): "text file busy" for a moment, then fine.
        for attempt in 1...40 {
            do {
                try process.run()
                break
            } catch let error as NSError where attempt < 40
                && (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY) {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(!stderr.contains("theme"), "\(stderr)")

        // In a real terminal: the status line is white on blue (light), not black on cyan (dark),
        // and nothing is printed when the desk closes.
        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        // NO_COLOR, if the test runner has it, would rightly mean no colours at all.
        let command = "unset NO_COLOR; cd '\(elsewhere.path)' && HOME='\(elsewhere.path)' XDG_CONFIG_HOME='\(elsewhere.path)' XDG_STATE_HOME='\(elsewhere.path)' FRONTDESK_DB='\(cli.database)' FRONTDESK_TODAY=2026-11-26 TERM=tmux-256color ./frontdesk --theme light --user anna; echo FRONTDESK-EXITED-$?; sleep 60"
        try tmux.run("new-session", "-d", "-s", "desk", "-x", "100", "-y", "30", command)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("201") }
        let coloured = try tmux.run("capture-pane", "-p", "-e", "-t", "desk")
        let statusLine = try #require(coloured.split(separator: "\n").first { $0.contains("business date") }.map(String.init))
        #expect(statusLine.contains("[37m") || statusLine.contains("[37;"), "\(statusLine.debugDescription)")
        #expect(statusLine.contains("44m"), "\(statusLine.debugDescription)")
        #expect(!statusLine.contains("46m"), "\(statusLine.debugDescription)")

        try tmux.run("send-keys", "-t", "desk", "F10")
        let after = try tmux.waitFor { $0.contains("FRONTDESK-EXITED-") }
        #expect(after.contains("FRONTDESK-EXITED-0"))
        let printed = after.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(printed == ["FRONTDESK-EXITED-0"], "\(after)")
    }
}
