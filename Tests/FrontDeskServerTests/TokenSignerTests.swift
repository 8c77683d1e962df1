import Foundation
import FrontDeskDomain
import FrontDeskServer
import Testing

/// The token check itself, in process: every token it issues verifies to its own principal, and
/// no single changed character of a token is accepted.
@Suite struct TokenSignerTests {
    let signer = TokenSigner(secret: Data(String(repeating: "s", count: 40).utf8))
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func issuedTokensOfEveryLengthVerifyToTheirPrincipal() throws {
        let hotel = UUID()
        // Names of 1 to 12 characters give payloads of every length modulo 4 (every base64 tail).
        for length in 1...12 {
            let name = String(repeating: "é", count: length)
            let issued = signer.issue(for: (name, "\(length)@example.com", .receptionist, hotel), passwordHash: "hash-\(length)", now: now)
            let verified = try signer.verifyWithExpiry(issued.token, now: now)
            #expect(verified.principal == Principal(userName: name, role: .receptionist, hotelId: hotel))
            #expect(verified.expiresAt == issued.expiresAt)
            #expect(verified.credentialStamp == signer.credentialStamp(passwordHash: "hash-\(length)"))
            #expect(throws: TokenSigner.Rejection.expired) { try signer.verify(issued.token, now: issued.expiresAt) }
        }
    }

    /// Signed with the right key but not for this server: another issuer or audience (a token
    /// another service of the same secret made), a role nobody has, a hotel role with no hotel.
    @Test func aWellSignedTokenForSomethingElseIsRefused() throws {
        let good = TokenSigner.Claims(sub: "anna", email: "", role: "receptionist", hotel_id: UUID().uuidString.lowercased(),
                                      iss: TokenSigner.issuer, aud: TokenSigner.audience,
                                      iat: Int(now.timeIntervalSince1970), exp: Int(now.timeIntervalSince1970) + 3600)
        #expect(try signer.verify(signer.sign(good), now: now).userName == "anna")
        var otherIssuer = good
        otherIssuer.iss = "payments-service"
        #expect(throws: TokenSigner.Rejection.wrongIssuer) { try signer.verify(signer.sign(otherIssuer), now: now) }
        var otherAudience = good
        otherAudience.aud = "frontdesk-admin"
        #expect(throws: TokenSigner.Rejection.wrongAudience) { try signer.verify(signer.sign(otherAudience), now: now) }
        var unknownRole = good
        unknownRole.role = "owner"
        #expect(throws: TokenSigner.Rejection.unknownRole) { try signer.verify(signer.sign(unknownRole), now: now) }
        var noHotel = good
        noHotel.hotel_id = nil
        #expect(throws: TokenSigner.Rejection.malformed) { try signer.verify(signer.sign(noHotel), now: now) }
    }

    @Test func everySingleCharacterChangeIsRefused() throws {
        let token = signer.issue(for: ("anna", "anna@example.com", .manager, UUID()), passwordHash: "hash", now: now).token
        var bytes = Array(token.utf8)
        for index in bytes.indices where bytes[index] != UInt8(ascii: ".") {
            let original = bytes[index]
            for replacement in [UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: "+")]
            where replacement != original {
                bytes[index] = replacement
                let changed = String(decoding: bytes, as: UTF8.self)
                #expect(throws: TokenSigner.Rejection.self, "position \(index) as \(Character(UnicodeScalar(replacement)))") {
                    try signer.verify(changed, now: now)
                }
            }
            bytes[index] = original
        }
        #expect(try signer.verify(String(decoding: bytes, as: UTF8.self), now: now).userName == "anna")
    }
}
