import Foundation
import FrontDeskDomain
import Synchronization
import Testing

/// The audit's booking states are written by `renderedJSONUTF8`, the command line's and the
/// exports' by `json`: the same booking must read the same, byte for byte, whichever wrote it.
@Suite struct BookingJSONTests {
    let instant = Date(timeIntervalSince1970: 1_800_000_123.456)

    func booking(name: String, phone: String?, nights: Int, status: BookingStatus, reason: String?, notes: [BookingNote],
                 roomSince: CalendarDate?, cents: Int64) -> Booking {
        let checkIn = day("2026-12-30")
        let stay = StayDates(checkIn: checkIn, checkOut: checkIn.adding(days: nights))!
        return Booking(id: UUID.timeOrdered(at: instant), hotelId: UUID(), roomId: UUID(), roomNumber: "12\"B",
                       confirmationCode: "K7M-4QX", guest: Guest(name: name, email: "a@example.com", phone: phone), guestCount: 3,
                       stay: stay, status: status,
                       nightlyPrices: stay.nights.enumerated().map { NightlyPrice(night: $1, price: Money(minorUnits: cents + Int64($0))) },
                       version: 7, holdExpiresAt: nil, statusReason: reason, createdAt: instant, updatedAt: instant, notes: notes,
                       roomSince: roomSince)
    }

    @Test(arguments: [
        ("Anna Müller", nil as String?, 1, BookingStatus.confirmed, nil as String?, 0, false, Int64(12_900)),
        ("O'Brien \"Junior\"\n\\ tab\t", "+49 30 1234", 3, .cancelled, "Guest asked\u{2028}twice", 2, true, 0),
        ("\u{0001}\u{007F}\u{0085} 李 😀", "", 14, .reserving, "", 1, false, 99_999_999),
    ])
    func bothWaysWriteTheSameBytes(name: String, phone: String?, nights: Int, status: BookingStatus, reason: String?,
                                   noteCount: Int, moved: Bool, cents: Int64) {
        let notes = (0..<noteCount).map { BookingNote(at: instant.addingTimeInterval(Double($0)), by: "desk \"\($0)\"", text: "late arrival\n\($0)") }
        let subject = booking(name: name, phone: phone, nights: nights, status: status, reason: reason, notes: notes,
                              roomSince: moved ? day("2026-12-31") : nil, cents: cents)
        let tree = subject.json.renderedUTF8()
        #expect(String(decoding: subject.renderedJSONUTF8(), as: UTF8.self) == String(decoding: tree, as: UTF8.self))
        #expect(subject.renderedJSON() == subject.json.rendered())
        // And it is JSON a reader takes, with what was put in.
        let object = try? JSONSerialization.jsonObject(with: Data(subject.renderedJSONUTF8())) as? [String: Any]
        #expect(object?["guestName"] as? String == name)
        #expect((object?["nightlyPrices"] as? [Any])?.count == nights)
    }
}

/// Random numbers fetched ahead (`BufferedSystemRandom`) are still handed to one caller each.
@Suite struct BufferedSystemRandomTests {
    @Test func numbersAreNeverHandedOutTwiceAcrossRefillsAndThreads() {
        let drawn = Mutex<[UInt64]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var generator = BufferedSystemRandom()
            let mine = (0..<3_000).map { _ in generator.next() }
            drawn.withLock { $0 += mine }
        }
        let all = drawn.withLock { $0 }
        // 12,000 draws run through the 512 fetched at a time more than twenty times.
        #expect(all.count == 12_000)
        #expect(Set(all).count == all.count)
        // Not a constant or a counter: both halves of the bits vary.
        #expect(Set(all.map { $0 >> 32 }).count > 11_000)
        #expect(Set(all.map { $0 & 0xFFFF_FFFF }).count > 11_000)
    }
}
