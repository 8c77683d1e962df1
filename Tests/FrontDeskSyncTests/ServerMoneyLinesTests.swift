import Foundation
import FrontDeskTestSupport
import Testing

/// A connected desk's changes made online said nothing about money: the server recorded "repay
/// … at the desk" and the refund, and the receptionist, at the desk with the guest, heard none
/// of it (a review, session 58). The server's lines now come back with the push's answer and are
/// kept in the desk's history: the real `frontdesk` against a real server on 127.0.0.1.
@Suite("A connected desk says what the server recorded about money", .serialized)
struct ServerMoneyLinesTests {
    /// A connected desk with a three-night stay from tonight in spare room S1, booked online.
    func threeNightsOnline(_ name: String, guest: String) throws
        -> (server: SyncServer, desk: Desk, code: String, total: Double, oneNightOut: String) {
        let server = try SyncServer()
        try server.addSpareRooms(1)
        let desk = try Desk(name)
        try #require(try desk.connect(server).status == 0)
        let tonight = try desk.run("search", "--nights", "3", "--json").json
        let checkIn = try #require(tonight["checkIn"] as? String), checkOut = try #require(tonight["checkOut"] as? String)
        let booked = try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: guest)
        try #require(booked.status == 0, "book: \(booked.stderr)")
        let arrival = try #require(ISO8601DateFormatter.day(checkIn))
        let oneNight = try #require(Calendar(identifier: .gregorian).date(byAdding: .day, value: 1, to: arrival))
        return (server, desk, try #require(try booked.json["confirmation"] as? String),
                try #require(try booked.json["totalPrice"] as? NSNumber).doubleValue, ISO8601DateFormatter.dayText(oneNight))
    }

    @Test("A shorter stay says what to repay and a cancel what is paid back, as the server recorded them")
    func onlineChangesSayTheServersMoneyLines() throws {
        let (server, desk, code, total, oneNightOut) = try threeNightsOnline("money-online", guest: "Nia Net")
        defer { withExtendedLifetime(server) { desk.remove() } }
        let shorter = try desk.run("change", code, "--check-out", oneNightOut, "--json")
        #expect(shorter.status == 0, "\(shorter.stderr)")
        #expect(try shorter.json["sync"] as? String == "synced", "made online")
        let newTotal = try #require(try shorter.json["totalPrice"] as? NSNumber).doubleValue
        let repay = String(format: "%.2f", total - newTotal)
        #expect(shorter.stderr.contains("Recorded: On the server: Booking \(code)") && shorter.stderr.contains("repay \(repay) at the desk"),
                "\(shorter.stderr)")

        let cancelled = try desk.run("cancel", code)
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(cancelled.stderr.contains("Recorded: On the server: ") && cancelled.stderr.contains("payment refunded (desk-refund): \(String(format: "%.2f", newTotal)) ")
                && cancelled.stderr.contains("to be paid back at the desk"),
                "\(cancelled.stderr)")
        // The desk's history keeps them.
        let history = try desk.run("audit", "--booking", code).stdout
        #expect(history.contains("On the server: ") && history.contains("repay \(repay) at the desk"), "\(history)")
    }

    @Test("A change queued offline said its money then: the server's lines for it are kept, never said again")
    func aQueuedChangesServerLinesAreKeptNotSaidAgain() throws {
        let (server, desk, code, _, oneNightOut) = try threeNightsOnline("money-queued", guest: "Oda Off")
        defer { desk.remove() }
        server.stop()
        let offline = try desk.run("change", code, "--check-out", oneNightOut)
        #expect(offline.status == 0 && offline.stderr.contains("repay ") && offline.stderr.contains("saved on this desk"), "\(offline.stderr)")
        try server.start()
        #expect(try desk.run("sync").status == 0)
        // The next change of that booking says its own lines only: not the queued one's repay again.
        let noted = try desk.run("change", code, "--note", "Late check-out asked")
        #expect(noted.status == 0, "\(noted.stderr)")
        #expect(!noted.stderr.contains("repay ") && !noted.stderr.contains("made here earlier"), "\(noted.stderr)")
        let history = try desk.run("audit", "--booking", code).stdout
        #expect(history.contains("On the server, for a change made here earlier: ") && history.contains("repay "), "\(history)")
    }

    /// An offline walk-in booked and cancelled, paid at the desk: `audit` said "payment refunded
    /// (desk-refund): … to be paid back at the desk" twice, once from this desk and once as the
    /// server's line "for a change made here earlier", and someone adding up refunds could pay it
    /// twice (a night shift's review, session 61). The server's copy says it is the same refund.
    @Test("The server's copy of a desk refund made here is said as the same refund, not another")
    func theServersCopyOfADeskRefundIsNotASecondRefund() throws {
        let server = try SyncServer()
        try server.addSpareRooms(1)
        let desk = try Desk("money-refund-once")
        defer { withExtendedLifetime(server) { desk.remove() } }
        try #require(try desk.connect(server).status == 0)
        let (checkIn, checkOut) = futureStay(daysAhead: 40)
        server.stop()
        let booked = try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Wanda Walkin")
        try #require(booked.status == 0, "book: \(booked.stderr)")
        let code = try #require(try booked.json["confirmation"] as? String)
        let total = String(format: "%.2f", try #require(try booked.json["totalPrice"] as? NSNumber).doubleValue)
        let cancelled = try desk.run("cancel", code)
        #expect(cancelled.status == 0 && cancelled.stderr.contains("payment refunded (desk-refund): \(total) "), "\(cancelled.stderr)")
        try server.start()
        #expect(try desk.run("sync").status == 0)
        #expect(try desk.pendingOps() == 0)
        let history = try desk.run("audit", "--booking", code).stdout
        // This desk's own line, once: the only one that says to pay the money back.
        #expect(history.components(separatedBy: "payment refunded (desk-refund): \(total) ").count == 2, "said once: \(history)")
        #expect(history.components(separatedBy: "to be paid back at the desk").count == 2, "said once: \(history)")
        // The server's record of it is kept, as the same refund.
        #expect(history.contains("On the server, for a change made here earlier: Booking \(code): the same desk refund as this desk's own line says, "
                                 + "recorded there too; not another refund: nothing more to pay back"), "\(history)")
    }
}

extension ISO8601DateFormatter {
    static func day(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }

    static func dayText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
