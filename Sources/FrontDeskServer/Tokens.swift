import Crypto
import Foundation
import FrontDeskDomain

/// The design's JWT: HS256, claims `sub`, `email`, `role`, `hotel_id`, 8 hours, issuer and audience
/// checked; `credential_stamp` names the password the token was issued for (`credentialStamp`), so
/// a new password ends the tokens issued before it. Only HS256 is accepted, whatever a token's
/// header says (no `alg: none`, no key confusion).
public struct TokenSigner: Sendable {
    public static let issuer = "frontdesk-server"
    public static let audience = "frontdesk"
    public static let lifetime: TimeInterval = 8 * 3600
    private let key: SymmetricKey

    /// At least 32 bytes of secret.
    public init(secret: Data) {
        key = SymmetricKey(data: secret)
    }

    public struct Claims: Codable, Sendable, Equatable {
        public var sub: String
        public var email: String
        public var role: String
        public var hotel_id: String?
        public var iss: String
        public var aud: String
        public var iat: Int
        public var exp: Int
        /// Absent from tokens an older server issued: those last their 8 hours whatever the password.
        public var credential_stamp: String?

        public init(sub: String, email: String, role: String, hotel_id: String?, iss: String, aud: String, iat: Int, exp: Int,
                    credential_stamp: String? = nil) {
            (self.sub, self.email, self.role, self.hotel_id) = (sub, email, role, hotel_id)
            (self.iss, self.aud, self.iat, self.exp) = (iss, aud, iat, exp)
            self.credential_stamp = credential_stamp
        }
    }

    /// A verified token: who it speaks for, until when, and the password it was issued for.
    public struct Verified: Sendable {
        public let principal: Principal
        public let expiresAt: Date
        public let credentialStamp: String?
        /// Its `iat`, to the second.
        public let issuedAt: Date
    }

    /// `disabledAt`: when the account was last disabled (`UserAccount.disabledAt`), which its stamp names too.
    public func issue(for account: (name: String, email: String, role: UserRole, hotelId: UUID?), passwordHash: String,
                      disabledAt: Date? = nil, now: Date) -> (token: String, expiresAt: Date) {
        let expiry = now.addingTimeInterval(Self.lifetime)
        let claims = Claims(sub: account.name, email: account.email, role: account.role.rawValue,
                            hotel_id: account.hotelId?.uuidString.lowercased(), iss: Self.issuer, aud: Self.audience,
                            iat: Int(now.timeIntervalSince1970), exp: Int(expiry.timeIntervalSince1970),
                            credential_stamp: credentialStamp(passwordHash: passwordHash, disabledAt: disabledAt))
        return (sign(claims), expiry)
    }

    /// Names an account's password without revealing anything of it: 96 bits of an HMAC, under this
    /// server's key, of the stored hash (salted, so a password set again to the same words gets a
    /// new stamp), and when the account was last disabled, if ever: disabling ends its tokens for
    /// good, and enabling it again brings back the account, not them. Kept in the token rather than
    /// a date of issue compared with the account's dates, so the check needs nothing the account
    /// check does not already read, and a sign-in in the second of an enable is not refused.
    /// An account never disabled has the stamp of its password alone, as before `disabledAt` was kept.
    /// The name a failed login is counted under in the database: keyed with this secret, so a
    /// password typed into the name field by mistake is not kept there in clear. Every instance
    /// of one chain has the same secret, so they count into the same records.
    public func loginThrottleName(_ name: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(("login-throttle\u{0}" + name).utf8), using: key)
        return Self.base64URL(Data(Data(code).prefix(16)))
    }

    public func credentialStamp(passwordHash: String, disabledAt: Date? = nil) -> String {
        let disabled = disabledAt.map { "\u{0}disabled-at-ms\u{0}\(Int64(($0.timeIntervalSince1970 * 1000).rounded()))" } ?? ""
        let code = HMAC<SHA256>.authenticationCode(for: Data(("credential-stamp\u{0}" + passwordHash + disabled).utf8), using: key)
        return Self.base64URL(Data(Data(code).prefix(12)))
    }

    /// `claims` signed with this server's key, whatever they say (`issue` says what they should).
    public func sign(_ claims: Claims) -> String {
        let header = Self.base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Self.base64URL((try? JSONEncoder().encode(claims)) ?? Data())
        let signingInput = header + "." + payload
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return signingInput + "." + Self.base64URL(Data(signature))
    }

    public enum Rejection: Error, Equatable {
        case malformed, badSignature, wrongAlgorithm, expired, wrongIssuer, wrongAudience, unknownRole
    }

    public func verify(_ token: String, now: Date) throws(Rejection) -> Principal {
        try verifyWithExpiry(token, now: now).principal
    }

    /// The principal, the moment the token expires (its `exp`) and its credential stamp.
    public func verifyWithExpiry(_ token: String, now: Date) throws(Rejection) -> Verified {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.decodeBase64URL(parts[0]), let payloadData = Self.decodeBase64URL(parts[1]),
              let signature = Self.decodeBase64URL(parts[2]) else { throw .malformed }
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else { throw .malformed }
        guard header["alg"] as? String == "HS256" else { throw .wrongAlgorithm }
        let signingInput = Data((parts[0] + "." + parts[1]).utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else { throw .badSignature }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: payloadData) else { throw .malformed }
        guard claims.iss == Self.issuer else { throw .wrongIssuer }
        guard claims.aud == Self.audience else { throw .wrongAudience }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(claims.exp))
        guard expiresAt > now else { throw .expired }
        guard let role = UserRole(rawValue: claims.role) else { throw .unknownRole }
        let hotel = claims.hotel_id.flatMap(UUID.init(uuidString:))
        if role != .admin && hotel == nil { throw .malformed }
        return Verified(principal: Principal(userName: claims.sub, role: role, hotelId: role == .admin ? nil : hotel),
                        expiresAt: expiresAt, credentialStamp: claims.credential_stamp,
                        issuedAt: Date(timeIntervalSince1970: TimeInterval(claims.iat)))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Unpadded base64url (RFC 4648 §5) as a JWT writes it; nil for any other character, padding
    /// or a length no encoder produces. Read byte by byte: Foundation's string replacing and
    /// letter tests were most of a token check.
    static func decodeBase64URL(_ text: Substring) -> Data? {
        var output = Data()
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // 6 bits left over cannot end an encoding; leftover bits must be zero (canonical form).
        guard bits < 6, accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}
