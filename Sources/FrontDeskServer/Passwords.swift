import Crypto
import _CryptoExtras
import Foundation

/// Passwords kept only as a slow salted hash: PBKDF2-HMAC-SHA256, stored as
/// `pbkdf2-sha256$ROUNDS$SALT$HASH` (base64), so the rounds can grow without breaking old hashes.
public struct PasswordHasher: Sendable {
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256. Tests pass fewer to stay quick.
    public static let standardRounds = 600_000
    public let rounds: Int

    public init(rounds: Int = PasswordHasher.standardRounds) {
        self.rounds = rounds
    }

    public func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(key.base64EncodedString())"
    }

    /// Whether `password` matches `stored`. A malformed stored hash matches nothing.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds > 0,
              let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
              let actual = try? derive(password, salt: Array(salt), rounds: rounds) else { return false }
        // Constant time: HMAC's comparison does not stop at the first differing byte.
        return HMAC<SHA256>.isValidAuthenticationCode(
            HMAC<SHA256>.authenticationCode(for: actual, using: SymmetricKey(data: Data("compare".utf8))),
            authenticating: expected, using: SymmetricKey(data: Data("compare".utf8)))
    }

    /// Spends the time of one verification, for an unknown user: the answer must not tell
    /// whether the name exists.
    public func spendVerificationTime(_ password: String) {
        _ = try? derive(password, salt: Array(repeating: 0, count: 16), rounds: rounds)
    }

    private func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Data($0) }
    }
}
