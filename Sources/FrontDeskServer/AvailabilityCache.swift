import Foundation
import FrontDeskStore
import NIOCore
import Synchronization

/// Availability answers, rendered, kept while they are still the answer (the design's 5-minute
/// cache, made exact). Each answer carries the stamp of the snapshot it was read in; before it is
/// served again the store says whether anything it was made of has changed since (one indexed
/// read: the hotel's availability version, bumped by triggers on every claim, release, room and
/// room type). So a search answered after a booking commits never shows that room as free.
final class AvailabilityCache: Sendable {
    struct Key: Hashable, Sendable {
        let hotel: UUID
        let checkIn: String?
        let checkOut: String?
        let guests: String
    }

    struct Entry: Sendable {
        let stamp: FrontDeskStore.SearchStamp
        let body: ByteBuffer
    }

    private struct Kept {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    private let kept = Mutex(Kept())
    /// Answers served from the cache and answers searched afresh, for `/metrics`.
    let hits = Atomic<Int>(0)
    let misses = Atomic<Int>(0)
    /// About 300 distinct stays of up to a year ahead per hotel are asked for often; past this
    /// many answers, or this many bytes of them (an answer for 1 guest in a 500-room hotel is
    /// about 60 KB), the cache starts over rather than keeping a recency list on every hit.
    let capacity: Int
    let maximumBytes: Int

    init(capacity: Int = 4096, maximumBytes: Int = 64 << 20) {
        self.capacity = capacity
        self.maximumBytes = maximumBytes
    }

    /// The kept answer for `key`, if `isCurrent` says it still is the answer.
    func currentAnswer(for key: Key, isCurrent: (FrontDeskStore.SearchStamp) throws -> Bool) throws -> ByteBuffer? {
        guard let known = kept.withLock({ $0.entries[key] }), try isCurrent(known.stamp) else { return nil }
        hits.add(1, ordering: .relaxed)
        return known.body
    }

    /// A fresh answer from `search`, kept for next time.
    func freshAnswer(for key: Key, search: () throws -> Entry) throws -> ByteBuffer {
        misses.add(1, ordering: .relaxed)
        let fresh = try search()
        keep(fresh, for: key)
        return fresh.body
    }

    private func keep(_ entry: Entry, for key: Key) {
        kept.withLock { kept in
            if kept.entries.count >= capacity || kept.bytes + entry.body.readableBytes > maximumBytes {
                kept = Kept()
            }
            kept.bytes += entry.body.readableBytes - (kept.entries[key]?.body.readableBytes ?? 0)
            kept.entries[key] = entry
        }
    }

    /// Answers kept and their size, for tests.
    var size: (answers: Int, bytes: Int) { kept.withLock { ($0.entries.count, $0.bytes) } }
}
