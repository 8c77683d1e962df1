import Foundation
import FrontDeskDomain
import GRDB

/// A user of the booking server, as stored: the password only as its hash.
public struct UserAccount: Sendable, Equatable {
    public let name: String
    public let role: UserRole
    public let email: String
    public let hotelId: UUID?
    public let passwordHash: String
    public let isDisabled: Bool
    /// When the account was last disabled, kept once it is enabled again: a token issued before
    /// then stays refused (enabling an account does not bring back the tokens disabling ended).
    /// Nil: never disabled (or not since this was recorded, schema v17 / PostgreSQL v13).
    public let disabledAt: Date?

    public init(name: String, role: UserRole, email: String, hotelId: UUID?, passwordHash: String, isDisabled: Bool,
                disabledAt: Date? = nil) {
        self.name = name
        self.role = role
        self.email = email
        self.hotelId = hotelId
        self.passwordHash = passwordHash
        self.isDisabled = isDisabled
        self.disabledAt = disabledAt
    }

    /// The account with `disabled` and `passwordHash` where given (`ChainStorage.updateUser`); an
    /// account disabled now (it was not) records `now` as `disabledAt`.
    public func changed(disabled: Bool?, passwordHash: String?, at now: Date) -> UserAccount {
        UserAccount(name: name, role: role, email: email, hotelId: hotelId, passwordHash: passwordHash ?? self.passwordHash,
                    isDisabled: disabled ?? isDisabled, disabledAt: disabled == true && !isDisabled ? now : disabledAt)
    }

    /// The audit lines of `updateUser`, the same on every backend: one for each thing that changes
    /// (a password set is said, never shown).
    public static func changeAudits(_ before: UserAccount, disabled: Bool?, passwordHash: String?) -> [(action: String, summary: String)] {
        var lines: [(String, String)] = []
        if let disabled, disabled != before.isDisabled {
            lines.append(disabled ? ("user.disabled", "User \(before.name) disabled") : ("user.enabled", "User \(before.name) enabled"))
        }
        if passwordHash != nil { lines.append(("user.password_set", "User \(before.name)'s password set")) }
        return lines
    }

    /// Refuses to disable the chain's last active admin (`updateUser`, on every backend, in its
    /// transaction): with none left, no account could act on every hotel through the API, and
    /// `users disable` said "User boss disabled" as if that were fine. `otherActiveAdmins` counts
    /// the admins other than `before` that are not disabled; it is asked only when `before` is
    /// an active admin about to be disabled. Nothing is changed when it throws.
    public static func refuseDisablingLastActiveAdmin(_ before: UserAccount, disabled: Bool?,
                                                      otherActiveAdmins: () throws -> Int) throws {
        guard disabled == true, before.role == .admin, !before.isDisabled else { return }
        guard try otherActiveAdmins() == 0 else { return }
        throw FrontDeskError.invalidState("\(before.name) is the last active admin: add another admin first "
                                          + "(frontdesk-server users add NAME --role admin --password-stdin)")
    }
}

extension UserAccount {
    /// Each account's name checked and trimmed as `addUser` does it (an import's user lines).
    public static func validated(_ accounts: [UserAccount]) throws -> [UserAccount] {
        try accounts.map { account in
            UserAccount(name: try UserAccountRules.validatedName(account.name, role: account.role, email: account.email, hotelId: account.hotelId),
                        role: account.role, email: account.email, hotelId: account.hotelId, passwordHash: account.passwordHash,
                        isDisabled: account.isDisabled, disabledAt: account.disabledAt)
        }
    }
}

extension FrontDeskStore {
    public static let maximumUserNameLength = UserAccountRules.maximumNameLength

    /// Adds a server user. Receptionists and managers need their hotel; admins have none.
    public func addUser(name: String, role: UserRole, email: String = "", hotelId: UUID?, passwordHash: String, by user: String) throws -> UserAccount {
        let trimmed = try UserAccountRules.validatedName(name, role: role, email: email, hotelId: hotelId)
        return try write { db in
            try addUser(UserAccount(name: trimmed, role: role, email: email, hotelId: hotelId, passwordHash: passwordHash, isDisabled: false),
                        by: user, db)
        }
    }

    /// `addUser` in the caller's transaction, its name already validated (an import adds its
    /// hotel's users with the hotel).
    @discardableResult
    func addUser(_ account: UserAccount, by user: String, _ db: Database) throws -> UserAccount {
        if let hotelId = account.hotelId, try db.value(Int.self, sql: "SELECT 1 FROM hotel WHERE id = ?", arguments: [hotelId.uuidString]) == nil {
            throw FrontDeskError.notFound("No hotel with id \(hotelId.uuidString.lowercased())")
        }
        if try db.value(Int.self, sql: "SELECT 1 FROM server_user WHERE name = ?", arguments: [account.name]) != nil {
            throw FrontDeskError.conflict("A user named \(account.name) already exists")
        }
        try db.run(sql: """
            INSERT INTO server_user (name, role, email, hotel_id, password_hash, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [account.name, account.role.rawValue, account.email, account.hotelId?.uuidString, account.passwordHash, Timestamp.text(now),
                             account.disabledAt.map(Timestamp.text)])
        try audit(db, user: user, action: "user.added", summary: "User \(account.name) added as \(account.role.rawValue)")
        return account
    }

    public func userAccount(named name: String) throws -> UserAccount? {
        try read { db in
            try db.row(sql: "SELECT \(Self.accountColumns) FROM server_user WHERE name = ?", arguments: [name]).map(Self.account(from:))
        }
    }

    public func userAccounts() throws -> [UserAccount] {
        try read { db in
            try db.rows(sql: "SELECT \(Self.accountColumns) FROM server_user ORDER BY name")
                .map(Self.account(from:))
        }
    }

    public func updateUser(named name: String, disabled: Bool?, passwordHash: String?, by user: String) throws -> UserAccount {
        try write { db in
            guard let before = try db.row(sql: "SELECT \(Self.accountColumns) FROM server_user WHERE name = ?",
                                          arguments: [name]).map(Self.account(from:)) else {
                throw FrontDeskError.notFound("No user named \(BookingRules.quoted(name))")
            }
            // In this write transaction (SQLite's writers take turns): no other change of an
            // admin can come between the count and the update.
            try UserAccount.refuseDisablingLastActiveAdmin(before, disabled: disabled) {
                try db.value(Int.self, sql: "SELECT count(*) FROM server_user WHERE role = 'admin' AND is_disabled = 0 AND name <> ?",
                             arguments: [before.name]) ?? 0
            }
            let after = before.changed(disabled: disabled, passwordHash: passwordHash, at: now)
            try db.run(sql: "UPDATE server_user SET is_disabled = ?, password_hash = ?, disabled_at = ? WHERE name = ?",
                       arguments: [after.isDisabled, after.passwordHash, after.disabledAt.map(Timestamp.text), before.name])
            for (action, summary) in UserAccount.changeAudits(before, disabled: disabled, passwordHash: passwordHash) {
                try audit(db, user: user, action: action, summary: summary)
            }
            return after
        }
    }

    /// What `account(from:)` reads, in its order.
    static let accountColumns = "name, role, hotel_id, password_hash, is_disabled, rowid, email, disabled_at"

    static func account(from row: Row) throws -> UserAccount {
        let stored = StoredRow(row, table: "server_user", rowid: 5)
        let roleText = try stored.text(1, "role")
        guard let role = UserRole(rawValue: roleText) else {
            throw StoreError.damagedRow(table: "server_user", row: "\(row[5] as Int64? ?? 0)", problem: "role \(roleText) is not a role")
        }
        return UserAccount(name: try stored.text(0, "name"), role: role, email: try stored.text(6, "email"),
                           hotelId: role == .admin ? nil : try stored.id(2, "hotel_id"),
                           passwordHash: try stored.text(3, "password_hash"), isDisabled: try stored.flag(4, "is_disabled"),
                           disabledAt: try stored.optionalInstant(7, "disabled_at"))
    }
}
