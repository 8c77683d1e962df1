import Crypto
import Foundation
import FrontDeskDomain

/// The design's JWT: HS256, claims `sub`, `email`, `role`, `hotel_id`, 8 hours, issuer and audience
/// checked. Only HS256 is accepted, whatever a token's header says (no `alg: none`, no key confusion).
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
    }

    public func issue(for account: (name: String, email: String, role: UserRole, hotelId: UUID?), now: Date) -> (token: String, expiresAt: Date) {
        let expiry = now.addingTimeInterval(Self.lifetime)
        let claims = Claims(sub: account.name, email: account.email, role: account.role.rawValue,
                            hotel_id: account.hotelId?.uuidString.lowercased(), iss: Self.issuer, aud: Self.audience,
                            iat: Int(now.timeIntervalSince1970), exp: Int(expiry.timeIntervalSince1970))
        let header = Self.base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Self.base64URL((try? JSONEncoder().encode(claims)) ?? Data())
        let signingInput = header + "." + payload
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return (signingInput + "." + Self.base64URL(Data(signature)), expiry)
    }

    public enum Rejection: Error, Equatable {
        case malformed, badSignature, wrongAlgorithm, expired, wrongIssuer, wrongAudience, unknownRole
    }

    public func verify(_ token: String, now: Date) throws(Rejection) -> Principal {
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
        guard Double(claims.exp) > now.timeIntervalSince1970 else { throw .expired }
        guard let role = UserRole(rawValue: claims.role) else { throw .unknownRole }
        let hotel = claims.hotel_id.flatMap(UUID.init(uuidString:))
        if role != .admin && hotel == nil { throw .malformed }
        return Principal(userName: claims.sub, role: role, hotelId: role == .admin ? nil : hotel)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
