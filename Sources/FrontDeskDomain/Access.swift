import Foundation

/// The design's roles. A receptionist and a manager belong to one hotel; an admin to the chain.
public enum UserRole: String, CaseIterable, Codable, Sendable {
    case receptionist, manager, admin

    /// What a role may do in a hotel it may see (which hotels it may see: `mayAccess`).
    public func may(_ right: Right) -> Bool {
        switch right {
        case .searchAndBook: true
        case .manageProperty, .readReports: self != .receptionist
        case .manageUsers: self == .admin
        }
    }
}

public enum Right: Sendable {
    /// Availability, bookings (create, read, list, cancel, check in, check out).
    case searchAndBook
    /// Rooms and room types.
    case manageProperty
    /// Occupancy.
    case readReports
    /// The server's user accounts.
    case manageUsers
}

/// Who is asking: the claims of a verified token.
public struct Principal: Sendable, Equatable {
    public let userName: String
    public let role: UserRole
    /// Nil for an admin: every hotel.
    public let hotelId: UUID?

    public init(userName: String, role: UserRole, hotelId: UUID?) {
        self.userName = userName
        self.role = role
        self.hotelId = hotelId
    }

    /// Whether the hotel exists for this principal at all. Another hotel's resources are "not
    /// found", never "forbidden", so a token does not learn which ids exist elsewhere.
    public func mayAccess(hotel: UUID) -> Bool {
        role == .admin || hotelId == hotel
    }
}
