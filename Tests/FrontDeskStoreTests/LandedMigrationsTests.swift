import Foundation
@testable import FrontDeskPostgres
@testable import FrontDeskStore
import GRDB
import Testing

/// A migration that has landed is never edited: a file or database it already ran on would not
/// run it again, and would lack what the edit added (a review found a file made between two
/// edits of v16 that opened as up to date and then failed every cancel with "no such column:
/// m.refusals"). Each landed migration's text is pinned here by its hash: a change to one fails
/// this test. Add the next migration instead, and its hash here.
@Suite struct LandedMigrationsTests {
    /// FNV-1a, 64 bits, of the UTF-8 text: enough to notice an edit.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    static let sqliteTexts: [String] = [
        Schema.v1, Schema.v2, Schema.v3, Schema.v4, Schema.v5, Schema.v6, Schema.v7, Schema.v8, Schema.v9, Schema.v10,
        Schema.v11, Schema.v12, Schema.v13,
        // v14 also rewrites CHECK constraints: their texts are part of it.
        Schema.v14Checks.map { "\($0.table)|\($0.written)|\($0.rewritten)" }.joined(separator: "\n") + Schema.v14,
        Schema.v15, Schema.v16, Schema.v17, Schema.v18, Schema.v19,
    ]

    @Test func theLandedSQLiteMigrationsAreUnchanged() throws {
        let names = Schema.migrator.migrations
        #expect(names.count == Self.sqliteTexts.count, "a new migration: add its text and hash here")
        // The name too: GRDB knows a migration ran by its name.
        let texts = zip(names, Self.sqliteTexts).map { "\($0)\n\($1)" }
        let pinned = Self.sqlitePins
        for (index, text) in texts.enumerated() where index < pinned.count {
            #expect(Self.fingerprint(text) == pinned[index], "SQLite migration v\(index + 1) was edited after it landed: add a new one")
        }
        #expect(texts.count == pinned.count, "pin the new migration: \(texts.map(Self.fingerprint))")
    }

    @Test func theLandedPostgreSQLMigrationsAreUnchanged() throws {
        let texts = PostgresSchema.migrations.map { "\($0.version) \($0.name)\n\($0.sql)" }
        let pinned = Self.postgresPins
        for (index, text) in texts.enumerated() where index < pinned.count {
            #expect(Self.fingerprint(text) == pinned[index], "PostgreSQL migration \(index + 1) was edited after it landed: add a new one")
        }
        #expect(texts.count == pinned.count, "pin the new migration: \(texts.map(Self.fingerprint))")
    }

    static let sqlitePins: [String] = [
        "a51a17a141a7fc75", "9a8122be9853473f", "c96256d3bbd2f330", "3f77b8e16fcf69b7", "e321561d615bd436", "674c871c21d546cc",
        "e105cba17c0ec850", "79b9ca2df6d0f7ad", "4a49ff3ba8edc2dd", "f7e4688da2963003", "f230d24270c499c6", "be782ecefe82142e",
        "d7e2e5310378880d", "dba5c3b21e95bea9", "d1e194ee0392ee58", "34e398e0081c0f28", "fde70154b7cbb6ef", "7701fbf4f2f607f8",
        "c32b6b96455c633",
    ]
    static let postgresPins: [String] = [
        "dfbcefdefb02afc9", "11e87c7c8643cbc8", "676230f19c24b5b8", "e8079ae8081298f7", "b4ffc8f758cfd953", "bc1fd9f6f7561c1f",
        "b14dd09dc13f3400", "21128b552b478231", "c95966bdc67d6a67", "17a3141f1630dfa9", "4d659e18fdb8ffce", "6e386617e894ed42",
        "cb8d4e5d9aaa73ce", "bad7c60465d9f864", "529ae99388f054be",
    ]
}
