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

/// The rules of a server user account, whichever database keeps it.
public enum UserAccountRules {
    public static let maximumNameLength = 64

    /// Whether `name` (trimmed) is one an account could have: a login with any other name is
    /// answered as an unknown user without being looked up.
    public static func couldBeName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains(where: { $0.isWhitespace })
            && TextRules.problem(in: name, field: "User name", maximum: maximumNameLength) == nil
    }

    /// The account's name as it is kept (trimmed), or every problem with what was given.
    public static func validatedName(_ name: String, role: UserRole, email: String, hotelId: UUID?) throws(FrontDeskError) -> String {
        var problems: [String] = []
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if let problem = TextRules.problem(in: trimmed, field: "User name", maximum: maximumNameLength) { problems.append(problem) }
        if trimmed.isEmpty { problems.append("User name is required") }
        if trimmed.contains(where: { $0.isWhitespace }) { problems.append("User name must be one word") }
        if let problem = TextRules.problem(in: email, field: "Email", maximum: 254) { problems.append(problem) }
        if role == .admin && hotelId != nil { problems.append("An admin belongs to no hotel (leave out --hotel)") }
        if role != .admin && hotelId == nil { problems.append("A \(role.rawValue) needs --hotel HOTEL_ID") }
        guard problems.isEmpty else { throw .validationFailed(problems) }
        return trimmed
    }
}
