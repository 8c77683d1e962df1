import Foundation
import FrontDeskDomain
import Testing

/// A desk that lost a push's answer and plans the same request again (the same request id from the
/// command line) makes it later, maybe on a version it has seen change, and a booking with an id and
/// code of its own: the server answers it as the same request. Anything else under a used id is not.
@Suite struct SyncRetryFingerprintTests {
    static func book(id: String = "0192f0a0-0000-7000-8000-000000000001", code: String = "KMN-PQR", madeAt: String = "2026-11-18T09:05:00.000Z",
                     guest: String = "Ana Ortiz") -> SyncOperation {
        SyncOperation(operationId: "request-1", kind: .book, bookingId: id, baseVersion: nil, madeAt: madeAt, by: "anna",
                      book: .init(roomId: "room-101", roomNumber: "101", checkIn: "2026-12-01", checkOut: "2026-12-03", guests: 2,
                                  guestName: guest, email: "ana@example.com", phone: nil, confirmation: code, payment: "desk",
                                  totalCents: 24_000))
    }

    @Test func aBookingPlannedAgainIsTheSameRequestAndOtherDetailsAreNot() {
        let first = Self.book()
        let again = Self.book(id: "0192f0a0-0000-7000-8000-000000000002", code: "WXY-TUV", madeAt: "2026-11-18T09:20:00.000Z")
        #expect(again.isRetry(ofFingerprint: first.fingerprint))
        #expect(!Self.book(guest: "Ana Ortega").isRetry(ofFingerprint: first.fingerprint))
        var repriced = again
        repriced.book?.totalCents = 26_000
        #expect(repriced.isRetry(ofFingerprint: first.fingerprint), "the server prices a booking again anyway")
    }

    /// A server keeps the fingerprints it recorded: the text stays field for field as it was
    /// written, whatever builds it (a different text would refuse every retry as other content).
    @Test func theFingerprintTextIsAsRecorded() {
        let separator = "\u{1F}"
        #expect(Self.book().fingerprint == ["request-1", "book", "0192f0a0-0000-7000-8000-000000000001", "-", "2026-11-18T09:05:00.000Z",
                                             "anna", "-", "room-101", "101", "2026-12-01", "2026-12-03", "2", "Ana Ortiz",
                                             "ana@example.com", "-", "KMN-PQR", "desk", "24000"].joined(separator: separator))
        let cancel = SyncOperation(operationId: "", kind: .cancel, bookingId: "booking-1", baseVersion: 3,
                                   madeAt: "2026-11-18T09:05:00.000Z", by: "anna", reason: "Plans changed")
        #expect(cancel.fingerprint == ["", "cancel", "booking-1", "3", "2026-11-18T09:05:00.000Z", "anna", "Plans changed"]
            .joined(separator: separator))
    }

    /// The id is the client's: a separator in it shifts no field into the ones a retry may change.
    @Test func anIdHoldingTheSeparatorShiftsNothing() {
        let cancel = SyncOperation(operationId: "odd\u{1F}id", kind: .cancel, bookingId: "booking-1", baseVersion: 3,
                                   madeAt: "2026-11-18T09:05:00.000Z", by: "anna", reason: "Plans changed")
        var otherBooking = cancel
        otherBooking.bookingId = "booking-2"
        otherBooking.madeAt = "2026-11-18T10:00:00.000Z"
        #expect(!otherBooking.isRetry(ofFingerprint: cancel.fingerprint))
        var later = cancel
        later.madeAt = "2026-11-18T10:00:00.000Z"
        #expect(later.isRetry(ofFingerprint: cancel.fingerprint))
    }

    @Test func aChangePlannedAgainOnANewerVersionIsTheSameRequestButNotOnAnotherBooking() {
        let cancel = SyncOperation(operationId: "request-2", kind: .cancel, bookingId: "booking-1", baseVersion: 3,
                                   madeAt: "2026-11-18T09:05:00.000Z", by: "anna", reason: "Plans changed")
        var later = cancel
        later.baseVersion = 4
        later.madeAt = "2026-11-18T10:00:00.000Z"
        #expect(later.isRetry(ofFingerprint: cancel.fingerprint))
        var otherBooking = cancel
        otherBooking.bookingId = "booking-2"
        #expect(!otherBooking.isRetry(ofFingerprint: cancel.fingerprint))
        var otherReason = cancel
        otherReason.reason = "Flight cancelled"
        #expect(!otherReason.isRetry(ofFingerprint: cancel.fingerprint))
        var checkIn = cancel
        checkIn.kind = .checkIn
        checkIn.reason = nil
        #expect(!checkIn.isRetry(ofFingerprint: cancel.fingerprint))
    }
}
