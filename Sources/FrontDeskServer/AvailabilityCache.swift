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
    /// Searches under way, by question: a miss that finds one waits for it rather than searching
    /// the same thing again (after a change every kept answer of the hotel goes stale at once).
    private let flights = Mutex<[Key: Task<Entry, any Error>]>([:])
    /// Answers served from the cache, searched afresh, and taken from another request's search
    /// (still current when it ended), for `/metrics`.
    let hits = Atomic<Int>(0)
    let misses = Atomic<Int>(0)
    let shared = Atomic<Int>(0)
    /// Requests waiting for another request's search, for tests.
    let waiting = Atomic<Int>(0)
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
    func currentAnswer(for key: Key, isCurrent: (FrontDeskStore.SearchStamp) async throws -> Bool) async throws -> ByteBuffer? {
        guard let known = kept.withLock({ $0.entries[key] }), try await isCurrent(known.stamp) else { return nil }
        hits.add(1, ordering: .relaxed)
        return known.body
    }

    /// The answer for `key`: the kept one while `isCurrent` says it still is the answer; else
    /// the answer of a search of the same question already under way, if it is still current
    /// when that search ends; else one `search` of its own.
    ///
    /// Exactness: a search this request starts reads a snapshot taken after the request came.
    /// Another request's search may have read before this one came, so its answer is used only
    /// after `isCurrent` (a read made now) says nothing it was made of has changed since.
    func answer(for key: Key, isCurrent: (FrontDeskStore.SearchStamp) async throws -> Bool,
                search: @escaping @Sendable () async throws -> Entry) async throws -> ByteBuffer {
        if let kept = try await currentAnswer(for: key, isCurrent: isCurrent) { return kept }
        let (flight, leads) = flights.withLock { flights -> (Task<Entry, any Error>, Bool) in
            if let flight = flights[key] { return (flight, false) }
            let flight = Task { try await search() }
            flights[key] = flight
            return (flight, true)
        }
        if leads {
            defer { flights.withLock { flights in if flights[key] == flight { flights[key] = nil } } }
            misses.add(1, ordering: .relaxed)
            let fresh = try await flight.value
            keep(fresh, for: key)
            return fresh.body
        }
        waiting.add(1, ordering: .relaxed)
        let theirs = try? await flight.value
        waiting.subtract(1, ordering: .relaxed)
        if let theirs, try await isCurrent(theirs.stamp) {
            shared.add(1, ordering: .relaxed)
            return theirs.body
        }
        misses.add(1, ordering: .relaxed)
        let fresh = try await search()
        keep(fresh, for: key)
        return fresh.body
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
