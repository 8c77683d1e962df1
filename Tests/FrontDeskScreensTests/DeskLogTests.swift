import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Logging
import Testing

/// The desk's log file: in the XDG state folder, with no card numbers, passwords or tokens.
@Suite struct DeskLogTests {
    /// A state folder of the test's own, removed when the test ends (`defer`).
    static func stateFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)")
    }

    static func remove(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func theLogIsAFileInTheXDGStateFolder() throws {
        let state = Self.stateFolder()
        defer { Self.remove(state) }
        #expect(DeskLog.path(["XDG_STATE_HOME": state.path]) == state.path + "/frontdesk/frontdesk.log")
        #expect(DeskLog.path(["HOME": "/home/anna"]) == "/home/anna/.local/state/frontdesk/frontdesk.log")

        let log = DeskLog.logger(environment: ["XDG_STATE_HOME": state.path])
        log.error("saga runner: the payment service did not answer")
        let text = try String(contentsOfFile: state.path + "/frontdesk/frontdesk.log", encoding: .utf8)
        #expect(text.hasSuffix(" error frontdesk: saga runner: the payment service did not answer\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: state.path + "/frontdesk/frontdesk.log")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func cardNumbersPasswordsAndTokensNeverReachTheLog() throws {
        let state = Self.stateFolder()
        defer { Self.remove(state) }
        let log = DeskLog.logger(environment: ["XDG_STATE_HOME": state.path])
        log.notice("declined card 4242 4242 4242 4242 and 4000-0000-0000-0002 and 5555555555554444")
        log.notice("request failed: Authorization: Bearer abc.def.ghi, password=hunter2 token: s3cr3t")
        let text = try String(contentsOfFile: state.path + "/frontdesk/frontdesk.log", encoding: .utf8)
        for secret in ["4242", "0002", "5555555555554444", "abc.def.ghi", "hunter2", "s3cr3t"] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        #expect(text.contains("declined card [card number removed]"))
        // Booking numbers and money are not mistaken for cards.
        #expect(DeskLog.redacted("room 101, 2026-11-26, 129.00 EUR") == "room 101, 2026-11-26, 129.00 EUR")
    }

    /// A booking's id is logged whole, though its groups may hold a dozen digits in a row: the
    /// id CI once logged cut (`5E00-7626-8477-314F`), an all-digit one, and a time-ordered one
    /// whose stamp is all digits. A card next to an id is still taken out.
    @Test func idsAreLoggedWholeAndCardsBesideThemAreNot() {
        for id in ["01A1EE56-5E00-7626-8477-314FD9804D66", "12345678-1234-5678-9012-345678901234",
                   "01999999-9999-7abc-8123-456789012345"] {
            for form in [id, id.lowercased()] {
                let line = "check-in of booking \(form) failed"
                #expect(DeskLog.redacted(line) == line)
            }
        }
        #expect(DeskLog.redacted("booking 01A1EE56-5E00-7626-8477-314FD9804D66 card 4242 4242 4242 4242")
            == "booking 01A1EE56-5E00-7626-8477-314FD9804D66 card [card number removed]")
        #expect(!DeskLog.redacted("4242424242424242-01A1EE56").contains("4242"))
    }

    @Test func aFailedDeskActionIsLogged() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let state = Self.stateFolder()
        defer { Self.remove(state) }
        let services = DeskTerminalApp.services(store: desk.store, user: "anna", cardPayments: false,
                                                log: DeskLog.logger(environment: ["XDG_STATE_HOME": state.path]))

        #expect(throws: FrontDeskError.self) { try services.checkIn(booking.id) } // arrives on Dec 1, not today

        let text = try String(contentsOfFile: state.path + "/frontdesk/frontdesk.log", encoding: .utf8)
        #expect(text.contains("notice frontdesk: check-in of booking \(booking.id) failed: "))
    }
}
