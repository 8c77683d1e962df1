import Foundation
import FrontDeskDomain
import Testing

/// A seeded generator of hostile booking forms, searches and room/hotel names, checking that what
/// the rules accept is within the input contract (no control characters, limits in scalars, no
/// flood of marks, dates in range) and that every refusal is printable (escaped, bounded).
/// CI runs a few thousand forms; `FRONTDESK_FUZZ_SECONDS=180` runs it for minutes.
@Suite struct BookingFormFuzzTests {
    static let pieces: [String] = [
        "", " ", "a", "Zoë", "山田", "101", "-1", "0", "31", "9999-12-31", "1899-12-31", "2026-12-01", "2026-02-30",
        "2027-01-05", "zoe@example.com", "+43 1 234", "\u{1B}", "\u{1B}]0;x\u{07}", "\n", "\t", "\r\n", "\u{7F}", "\u{9B}",
        "\u{85}", "\u{2028}", "\u{0}", "\u{301}", "\u{336}\u{336}\u{336}", "\u{200D}", "\u{202E}", "🏨", "e\u{301}",
        "@", ".", "'", "\"", "\\", "%", "'; DROP TABLE booking; --", String(repeating: "x", count: 120),
        String(repeating: "\u{301}", count: 60),
    ]

    static func text(_ generator: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    static func check(_ form: BookingForm, today: CalendarDate, room: (room: Room, type: RoomType)) {
        do {
            let request = try BookingRules.validate(form, context: .init(businessDate: today, hotelExists: true, room: room))
            for (field, value, limit) in [("name", request.guest.name, 100), ("email", request.guest.email, 254),
                                          ("phone", request.guest.phone ?? "", 32), ("room", request.roomNumber, 10)] {
                #expect(TextRules.problem(in: value, field: field, maximum: limit) == nil, "accepted \(field) \(value.debugDescription)")
            }
            #expect(CalendarDate.supportedRange.contains(request.stay.checkIn))
            #expect(CalendarDate.supportedRange.contains(request.stay.checkOut))
            #expect(BookingRules.guestRange.contains(request.guestCount))
        } catch {
            #expect(!error.details.isEmpty)
            for detail in error.details {
                #expect(!detail.unicodeScalars.contains(where: TextRules.isControl), "unescaped: \(detail.debugDescription)")
                #expect(detail.unicodeScalars.count < 200, "too long: \(detail.unicodeScalars.count)")
            }
        }
    }

    @Test func hostileFormsNeverGetPastTheRules() {
        let seconds = Double(ProcessInfo.processInfo.environment["FRONTDESK_FUZZ_SECONDS"] ?? "") ?? 0
        let deadline = Date().addingTimeInterval(seconds)
        var generator = SeededGenerator(seed: UInt64(ProcessInfo.processInfo.environment["FRONTDESK_FUZZ_SEED"] ?? "") ?? 9)
        let today = CalendarDate(iso: "2026-11-26")!
        let hotel = UUID()
        let type = RoomType(id: UUID(), hotelId: hotel, name: "Double", capacity: 2, basePricePerNight: Money(minorUnits: 100))
        let room = Room(id: UUID(), hotelId: hotel, roomTypeId: type.id, number: "101", isActive: true)
        var forms = 0
        repeat {
            for _ in 0..<3_000 {
                var form = BookingForm(roomNumber: "101", checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2",
                                       guestName: "Ann", email: "ann@example.com")
                // Mostly one hostile field at a time, so the others do not hide its problem.
                switch Int.random(in: 0..<8, using: &generator) {
                case 0: form.roomNumber = Self.text(&generator)
                case 1: form.checkIn = Self.text(&generator)
                case 2: form.checkOut = Self.text(&generator)
                case 3: form.guests = Self.text(&generator)
                case 4: form.guestName = Self.text(&generator)
                case 5: form.email = Self.text(&generator)
                case 6: form.phone = Self.text(&generator)
                default:
                    form = BookingForm(roomNumber: Self.text(&generator), checkIn: Self.text(&generator), checkOut: Self.text(&generator),
                                       guests: Self.text(&generator), guestName: Self.text(&generator), email: Self.text(&generator),
                                       phone: Self.text(&generator))
                }
                Self.check(form, today: today, room: (room, type))
                let name = Self.text(&generator)
                if (try? RoomType.validate(name: name, capacity: 2, basePricePerNight: Money(minorUnits: 100))) != nil {
                    #expect(TextRules.problem(in: name.trimmingCharacters(in: .whitespaces), field: "t", maximum: 60) == nil)
                }
                if (try? Hotel.validate(name: name, timeZoneIdentifier: "UTC", currency: "EUR")) != nil {
                    #expect(TextRules.problem(in: name.trimmingCharacters(in: .whitespaces), field: "h", maximum: 100) == nil)
                }
                forms += 1
            }
        } while Date() < deadline
        if seconds > 0 { print("fuzz: \(forms) forms, seed \(ProcessInfo.processInfo.environment["FRONTDESK_FUZZ_SEED"] ?? "9")") }
    }
}
