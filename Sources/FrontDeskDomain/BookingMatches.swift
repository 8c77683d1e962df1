import Foundation

/// The bookings a search found, in the desk's order, and how many matched in all: a search for
/// a common surname can match more than the list shows.
public struct BookingMatches: Sendable {
    public var bookings: [Booking]
    /// Every booking that matched, shown or not.
    public var total: Int

    public init(bookings: [Booking], total: Int) {
        self.bookings = bookings
        self.total = total
    }

    /// The limit cut the list.
    public var truncated: Bool { total > bookings.count }
}
