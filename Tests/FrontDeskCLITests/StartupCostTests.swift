import ArgumentParser
import Foundation
@testable import FrontDeskCLI
import Testing

/// What keeps `frontdesk` quick to start (issue 10): each is a cost paid by every command.
@Suite struct StartupCostTests {
    /// A command without an explicit name makes ArgumentParser derive it from the type's name
    /// through a protocol-conformance scan at every start.
    @Test func everyCommandSpellsOutItsName() {
        var unnamed: [String] = []
        func visit(_ command: any ParsableCommand.Type) {
            if command.configuration.commandName == nil { unnamed.append(String(describing: command)) }
            command.configuration.subcommands.forEach(visit)
        }
        visit(FrontDesk.self)
        #expect(unnamed.isEmpty, "commands without commandName: \(unnamed)")
    }
}

extension StartupCostTests {
    /// libcurl and its chain of some 35 libraries belong to the network helper only; the desk
    /// binary must not make the dynamic loader map them at every start.
    @Test func theDeskBinaryLinksNoNetworkingLibrary() throws {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [CLIHarness.binary.path]
        let pipe = Pipe()
        ldd.standardOutput = pipe
        try ldd.run()
        let libraries = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        // The release build links SQLite in (scripts/build-release); the debug build loads it.
        #expect(libraries.contains("libc.so"), "ldd gave no list: \(libraries)")
        #expect(!libraries.contains("libcurl"))
        #expect(!libraries.contains("FoundationNetworking"))
    }
}
