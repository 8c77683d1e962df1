import Foundation
import FrontDeskStore
import Testing

/// While PostgreSQL was down, the server's saga runner logged its failure about every 1.1 s for
/// as long as the database was away (session 60). `RepeatedProblemLog` decides which failures
/// are said: the first, then at most one a minute with how many recurred, and the end of them.
/// Tested with made-up times: no clock, no sleep.
@Suite struct RepeatedProblemLogTests {
    static let refused = "cannot connect to the database postgres://fd@127.0.0.1:5432/chain: nothing answers (connection refused)"

    /// Failures at `times`, each with `problem`: the lines said, with their times.
    static func fail(_ log: inout RepeatedProblemLog, at times: [TimeInterval], _ problem: String = RepeatedProblemLogTests.refused)
        -> [(at: TimeInterval, line: RepeatedProblemLog.Line)] {
        times.compactMap { time in log.failed(problem, at: time).map { line in (at: time, line: line) } }
    }

    @Test func anOutageIsSaidOnceThenOnceAMinuteWithItsCountAndItsEnd() {
        var log = RepeatedProblemLog()
        // Five minutes of failures, one every 1.1 s, as the runner's loop makes them.
        let times = (0..<273).map { 1000 + Double($0) * 1.1 }
        let said = Self.fail(&log, at: times)
        // The old way said 273 lines.
        #expect(said.count == 5, "\(said.map { $0.at })")
        #expect(said.first?.line == .failing(problem: Self.refused, unsaid: 0, failingFor: 0))
        for (previous, next) in zip(said, said.dropFirst()) {
            #expect(next.at - previous.at >= 60 && next.at - previous.at < 61.2, "lines at \(previous.at) and \(next.at)")
        }
        // Every failure is counted once: said, or in the next line's count.
        let counted = said.count + said.map { entry -> Int in
            if case .failing(_, let unsaid, _) = entry.line { return unsaid }
            return 0
        }.reduce(0, +)
        let unsaidAtTheEnd = 273 - counted
        #expect(unsaidAtTheEnd >= 0 && unsaidAtTheEnd < 55)
        if said.count > 1, case .failing(let problem, let unsaid, let failingFor) = said[1].line {
            #expect(problem == Self.refused && unsaid == 54 && abs(failingFor - 60.5) < 0.01, "\(said[1].line)")
        } else {
            Issue.record("\(said)")
        }

        // Working again: one line, with every failure and how long they lasted; then nothing.
        let back = log.worked(at: times.last! + 1.1)
        if case .workingAgain(let failures, let lasted)? = back {
            #expect(failures == 273 && abs(lasted - 300.3) < 0.01, "\(failures) \(lasted)")
        } else {
            Issue.record("\(String(describing: back))")
        }
        let afterThat = [log.worked(at: times.last! + 2.2), log.worked(at: times.last! + 3.3)]
        #expect(afterThat == [nil, nil])
    }

    @Test func nothingIsSaidWhileItWorks() {
        var log = RepeatedProblemLog()
        let lines = (0..<100).compactMap { second in log.worked(at: Double(second)) }
        #expect(lines.isEmpty, "\(lines)")
    }

    /// A problem with other words each time (a wait of so many seconds, a connection lost then
    /// refused) is the same outage: not a line each time.
    @Test func changingWordsDoNotFloodTheLogEither() {
        var log = RepeatedProblemLog()
        let said = (0..<100).compactMap { index in
            log.failed("no answer to a statement in \(index) s", at: Double(index))
        }
        #expect(said.count == 2, "\(said)")
        #expect(said.last == .failing(problem: "no answer to a statement in 60 s", unsaid: 59, failingFor: 60))
    }

    /// A problem that comes and goes every other second is said at most once a minute, with the
    /// failures between, and its ends are said only for the failures that were.
    @Test func aProblemThatComesAndGoesIsSaidAtMostOnceAMinute() {
        var log = RepeatedProblemLog()
        var lines: [RepeatedProblemLog.Line] = []
        for second in stride(from: 0, to: 120, by: 2) {
            if let line = log.failed(Self.refused, at: Double(second)) { lines.append(line) }
            if let line = log.worked(at: Double(second + 1)) { lines.append(line) }
        }
        #expect(lines == [.failing(problem: Self.refused, unsaid: 0, failingFor: 0),
                          .workingAgain(failures: 1, lasted: 1),
                          .failing(problem: Self.refused, unsaid: 29, failingFor: 0),
                          .workingAgain(failures: 1, lasted: 1)], "\(lines)")
    }

    /// Back after a quiet minute, a new outage is said at once again.
    @Test func aNewOutageAfterAQuietMinuteIsSaidAtOnce() {
        var log = RepeatedProblemLog()
        let lines = [log.failed("first", at: 0), log.worked(at: 5), log.failed("second", at: 70)]
        #expect(lines == [.failing(problem: "first", unsaid: 0, failingFor: 0), .workingAgain(failures: 1, lasted: 5),
                          .failing(problem: "second", unsaid: 0, failingFor: 0)], "\(lines)")
    }

    /// As text (a desk's log, `saga run`): the first as before, the later ones with their count.
    @Test func theLinesAsText() {
        #expect(SagaRunner.text(of: .failing(problem: "no such table: saga_message", unsaid: 0, failingFor: 0))
                == "saga runner: no such table: saga_message")
        #expect(SagaRunner.text(of: .failing(problem: "connection refused", unsaid: 54, failingFor: 60.5))
                == "saga runner: connection refused (54 more times since the last line; failing for 60 s)")
        #expect(SagaRunner.text(of: .workingAgain(failures: 273, lasted: 300.3))
                == "saga runner: the database answers again (after 273 failures in 300 s)")
    }
}
