import Foundation
import FrontDeskDomain

/// What the dashboard's chart column shows.
public enum ChartMeasure: String, CaseIterable, Sendable {
    case occupancy = "Occupancy", revenue = "Revenue", adr = "ADR", revpar = "RevPAR"

    /// The bar's length only (basis points or cents, whole numbers): the figures in the table are
    /// the report's own.
    func value(_ day: OccupancyDay) -> Int64 {
        let sold = Int64(day.roomsSold), available = Int64(day.roomsAvailable), cents = day.roomRevenue.minorUnits
        switch self {
        case .occupancy: return available == 0 ? 0 : sold * 10_000 / available
        case .revenue: return cents
        case .adr: return sold == 0 ? 0 : cents / sold
        case .revpar: return available == 0 ? 0 : cents / available
        }
    }

    /// The longest bar: a full house for occupancy, else the range's largest value.
    func maximum(_ days: [OccupancyDay]) -> Int64 { self == .occupancy ? 10_000 : days.map(value).max() ?? 0 }
}

/// The occupancy dashboard: a range of nights and its report.
public struct DashboardState: Sendable {
    /// The first night; the business date until another is chosen.
    public var from: CalendarDate?
    public var nights = DashboardState.defaultNights
    public var report: OccupancyReport?
    /// The first night row shown in the table.
    public var scroll = 0
    public var measure = ChartMeasure.occupancy
    /// The range being typed after `g`.
    public var prompt: String?
    public var message: String?
    public var messageIsError = false

    public static let defaultNights = 30
    public static let maximumNights = 366

    /// `2026-12-01 60` (start and nights), `2026-12-01 2027-01-31` (first and last night), `60`
    /// (nights from the current start) or `2026-12-01` (the current number of nights from there).
    public static func parseRange(_ text: String, from current: CalendarDate, nights: Int) -> Result<(CalendarDate, Int), FrontDeskError> {
        var from = current, count = nights
        var dates: [CalendarDate] = []
        for word in text.split(separator: " ").map(String.init) {
            if let number = Int(word) {
                count = number
            } else if CalendarDate(iso: word) != nil {
                // The command line's rule: within the supported dates.
                var problems: [String] = []
                guard let date = BookingRules.parseDate(word, field: "Date", into: &problems) else {
                    return .failure(.validationFailed(problems))
                }
                dates.append(date)
            } else {
                return .failure(.validationFailed(["\(BookingRules.quoted(word)) is neither a date (YYYY-MM-DD) nor a number of nights"]))
            }
        }
        if let first = dates.first { from = first }
        if dates.count == 2 {
            guard dates[0] <= dates[1] else {
                return .failure(.validationFailed(["The last night \(dates[1]) must not be before the first \(dates[0])"]))
            }
            count = dates[0].days(until: dates[1]) + 1
        }
        guard dates.count <= 2, (1...maximumNights).contains(count) else {
            return .failure(.validationFailed(["The range must be 1 to \(maximumNights) nights"]))
        }
        guard CalendarDate.supportedRange.contains(from.adding(days: count - 1)) else {
            return .failure(.validationFailed(["The range must end by \(CalendarDate.supportedRange.upperBound)"]))
        }
        return .success((from, count))
    }
}

extension DeskModel {
    mutating func refreshDashboard() {
        guard let managerServices else { return }
        let from = state.dashboard.from ?? state.info.businessDate
        state.dashboard.from = from
        state.dashboard.scroll = min(state.dashboard.scroll, max(0, state.dashboard.nights - 1))
        let through = from.adding(days: state.dashboard.nights - 1)
        let fetch = managerServices.occupancy
        load(.dashboard) { .dashboard(Result { try fetch(from, through) }) }
    }

    mutating func handleDashboard(_ key: Key) -> Outcome {
        if state.dashboard.prompt != nil {
            guard let typed = LinePrompt.edit(&state.dashboard.prompt, with: key, limit: 30) else { return .keepGoing }
            switch DashboardState.parseRange(typed, from: state.dashboard.from ?? state.info.businessDate, nights: state.dashboard.nights) {
            case .success(let (from, nights)): setRange(from: from, nights: nights)
            case .failure(let error): (state.dashboard.message, state.dashboard.messageIsError) = (Self.describe(error), true)
            }
            return .keepGoing
        }
        // A digit starts the range (typed text); letters do nothing.
        if case .character(let character) = key, character.isNumber {
            state.dashboard.message = nil
            state.dashboard.prompt = String(character)
            return .keepGoing
        }
        guard let command = CommandTable.command(for: key, in: .dashboard) else { return .keepGoing }
        let from = state.dashboard.from ?? state.info.businessDate
        let nights = state.dashboard.nights
        if command != .help && command != .exportCSV { state.dashboard.message = nil }
        switch command {
        case .moveSelection where key == .up: state.dashboard.scroll = max(0, state.dashboard.scroll - 1)
        case .moveSelection:
            let rows = DashboardLayout.nightRows(height: state.viewSize.height, roomTypes: state.dashboard.report?.byRoomType.count ?? 0)
            state.dashboard.scroll = min(state.dashboard.scroll + 1, max(0, nights - rows))
        case .previousRange: setRange(from: from.adding(days: -nights), nights: nights)
        case .nextRange: setRange(from: from.adding(days: nights), nights: nights)
        case .goToToday: setRange(from: state.info.businessDate, nights: DashboardState.defaultNights)
        case .chooseRange: state.dashboard.prompt = ""
        case .chartMeasure:
            let all = ChartMeasure.allCases
            state.dashboard.measure = all[(all.firstIndex(of: state.dashboard.measure)! + 1) % all.count]
        case .exportCSV: exportDashboard()
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    private mutating func setRange(from: CalendarDate, nights: Int) {
        // Paging stops at the dates the desk keeps (a held Page Up went on past year 0 and
        // stopped the desk when the year could not be written).
        guard CalendarDate.supportedRange.contains(from), CalendarDate.supportedRange.contains(from.adding(days: nights - 1)) else {
            (state.dashboard.message, state.dashboard.messageIsError) =
                ("The dashboard shows nights from \(CalendarDate.supportedRangeDescription)", true)
            return
        }
        state.dashboard.from = from
        state.dashboard.nights = nights
        state.dashboard.scroll = 0
        state.dashboard.message = nil
        refreshDashboard()
    }

    /// Writes the night table, exactly as `frontdesk occupancy --csv` prints it, and says where.
    private mutating func exportDashboard() {
        guard let managerServices, let report = state.dashboard.report, let first = report.first, let last = report.last else { return }
        do {
            let path = try managerServices.export("occupancy-\(first)-to-\(last).csv", report.csv)
            (state.dashboard.message, state.dashboard.messageIsError) = ("Wrote \(report.days.count) nights to \(path)", false)
        } catch {
            (state.dashboard.message, state.dashboard.messageIsError) = ("Could not write the CSV file: \(Self.describe(error))", true)
        }
    }
}

// MARK: Drawing

/// Where the dashboard's parts go: the night table between the charts and the room types.
enum DashboardLayout {
    static let tableTop = 7
    /// Room-type rows shown: all of them while at least three nights still fit above.
    static func typeRows(height: Int, roomTypes: Int) -> Int { min(roomTypes, max(1, height - tableTop - 2 - 1 - 2 - 3)) }
    /// Night rows that fit above the total row and the room types (heading, types, message, footer).
    static func nightRows(height: Int, roomTypes: Int) -> Int {
        max(1, height - 2 - typeRows(height: height, roomTypes: roomTypes) - 1 - tableTop - 2)
    }
}

enum BlockChart {
    static let vertical: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let horizontal: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// One character a value, as high as the value's share of `maximum`.
    static func column(_ value: Int64, maximum: Int64) -> Character {
        guard maximum > 0, value > 0 else { return vertical[0] }
        return vertical[Int(max(1, min(8, eighths(value, of: maximum, cells: 1))))]
    }

    /// A bar of up to `cells` columns, in eighths of a column.
    static func bar(_ value: Int64, maximum: Int64, cells: Int) -> String {
        guard maximum > 0, value > 0, cells > 0 else { return "" }
        let eighths = Int(min(Int64(cells * 8), eighths(value, of: maximum, cells: cells)))
        return String(repeating: "█", count: eighths / 8) + horizontal[eighths % 8]
    }

    private static func eighths(_ value: Int64, of maximum: Int64, cells: Int) -> Int64 {
        (value * Int64(cells) * 8 + maximum / 2) / maximum
    }
}

extension DeskModel {
    func drawDashboard(into buffer: inout CellBuffer) {
        let dashboard = state.dashboard
        buffer.put(" Occupancy", x: 0, y: 1, role: .title)
        guard let report = dashboard.report, let first = report.first, let last = report.last else {
            drawMessage(dashboard.message, isError: dashboard.messageIsError, confirmation: nil, into: &buffer)
            return
        }
        let summary = report.summary
        let percent = OccupancyReport.percent
        buffer.put("\(first) to \(last) · \(report.days.count) night\(report.days.count == 1 ? "" : "s") · \(state.info.currency)\(loadingNote(.dashboard))",
                   x: 11, y: 1, role: .hint, maxWidth: buffer.width - 12)
        let figures = Self.dashboardFigureLines(report, width: buffer.width)
        buffer.put(figures.range, x: 0, y: 2, role: .normal, maxWidth: buffer.width - 1)
        buffer.put(figures.today, x: 0, y: 3, role: .hint, maxWidth: buffer.width - 1)

        // The whole range at a glance: a column a night.
        let sparkWidth = buffer.width - 13
        for (row, measure) in [ChartMeasure.occupancy, .revenue].enumerated() {
            let y = 4 + row
            buffer.put(" \(measure.rawValue)", x: 0, y: y, role: .hint)
            let shown = Array(report.days.prefix(sparkWidth))
            let maximum = measure.maximum(shown)
            buffer.put(String(shown.map { BlockChart.column(measure.value($0), maximum: maximum) }), x: 12, y: y, role: .chart)
            if report.days.count > sparkWidth { buffer.put("…", x: buffer.width - 1, y: y, role: .hint) }
        }

        // Room types at the bottom, the nights between.
        let typeRows = DashboardLayout.typeRows(height: buffer.height, roomTypes: report.byRoomType.count)
        let typeTop = buffer.height - 2 - typeRows
        let tableTop = DashboardLayout.tableTop
        let nightRows = DashboardLayout.nightRows(height: buffer.height, roomTypes: report.byRoomType.count)
        // Figures grow with the hotel, the range and the currency (15,000 room-nights for 500 rooms
        // over 30 nights; an ADR of 1500000.00 in dong): each column widens to its widest figure,
        // and the chart gives up the cells.
        func widest(_ minimum: Int, _ texts: [String]) -> Int { max(minimum, texts.map(\.count).max() ?? 0) }
        let soldWidth = widest(9, ["\(summary.roomNightsSold)/\(summary.roomNightsAvailable)"]
            + report.byRoomType.map { "\($0.roomNightsSold)/\($0.roomNightsAvailable)" })
        let revenueWidth = widest(11, [summary.roomRevenue.plain] + report.byRoomType.map(\.roomRevenue.plain))
        let adrWidth = widest(9, [summary.adr.plain] + report.days.map(\.adr.plain) + report.byRoomType.map(\.adr.plain))
        let revparWidth = widest(9, [summary.revpar.plain] + report.days.map(\.revpar.plain) + report.byRoomType.map(\.revpar.plain))
        let chartWidth = max(0, buffer.width - 66 - (soldWidth - 9) - (revenueWidth - 11) - (adrWidth - 9) - (revparWidth - 9))
        let columns: [(String, Int, Bool)] = [("Night", 13, false), ("Occ %", 7, true), ("Sold", soldWidth, true), ("Revenue", revenueWidth, true),
                                              ("ADR", adrWidth, true), ("RevPAR", revparWidth, true), ("\(dashboard.measure.rawValue) (m)", chartWidth, false)]
        drawHeader(columns, y: tableTop, into: &buffer)
        let firstRow = min(dashboard.scroll, max(0, report.days.count - nightRows))
        let measureMaximum = dashboard.measure.maximum(report.days)
        for (index, day) in report.days.dropFirst(firstRow).prefix(nightRows).enumerated() {
            let y = tableTop + 1 + index
            let isToday = day.date == state.info.businessDate
            let values = ["\(day.date.weekdayAbbreviation) \(day.date)", percent(day.occupancy), "\(day.roomsSold)/\(day.roomsAvailable)",
                          day.roomRevenue.plain, day.adr.plain, day.revpar.plain]
            drawRow(values, columns: columns, y: y, role: isToday ? .accent : day.date.isWeekend ? .title : .normal, into: &buffer)
            buffer.put(BlockChart.bar(dashboard.measure.value(day), maximum: measureMaximum, cells: chartWidth),
                       x: buffer.width - chartWidth - 1, y: y, role: .chart)
        }
        let totalY = tableTop + 1 + min(nightRows, report.days.count)
        drawRow(["Total", percent(summary.occupancy), "\(summary.roomNightsSold)/\(summary.roomNightsAvailable)",
                 summary.roomRevenue.plain, summary.adr.plain, summary.revpar.plain], columns: columns, y: totalY, role: .header,
                into: &buffer)
        if report.days.count > nightRows {
            buffer.put("↑↓ \(firstRow + 1)–\(firstRow + nightRows) of \(report.days.count)", x: buffer.width - chartWidth - 1, y: totalY,
                       role: .hint)
        }

        let typeColumns: [(String, Int, Bool)] = [("Room type", 13, false), ("Occ %", 7, true), ("Sold", soldWidth, true),
                                                  ("Revenue", revenueWidth, true), ("ADR", adrWidth, true), ("RevPAR", revparWidth, true), ("Rooms", 7, true)]
        drawHeader(typeColumns, y: typeTop - 1, into: &buffer)
        let hidden = report.byRoomType.count - typeRows
        for (index, type) in report.byRoomType.prefix(hidden > 0 ? typeRows - 1 : typeRows).enumerated() {
            drawRow([type.name, percent(type.occupancy), "\(type.roomNightsSold)/\(type.roomNightsAvailable)", type.roomRevenue.plain,
                     type.adr.plain, type.revpar.plain, "\(type.rooms)"], columns: typeColumns, y: typeTop + index, role: .normal,
                    into: &buffer)
        }
        if hidden > 0 {
            buffer.put(" … \(hidden + 1) more room types: a taller terminal shows them, `frontdesk occupancy` lists them all",
                       x: 0, y: typeTop + typeRows - 1, role: .hint, maxWidth: buffer.width - 1)
        }

        if let typed = dashboard.prompt {
            let y = buffer.height - 2
            buffer.fill(y: y, role: .accent)
            buffer.put(" Nights: \(typed)▏  e.g. 2026-12-01 60, or 2026-12-01 2027-01-31 · Enter, Esc", x: 0, y: y, role: .accent,
                       maxWidth: buffer.width - 1)
        } else {
            drawMessage(dashboard.message, isError: dashboard.messageIsError, confirmation: nil, into: &buffer)
        }
    }

    /// The range's figures and today's, the two lines under the dashboard's title, each in the
    /// longest words that fit a screen `width` columns wide: a large hotel's "pickup 7 days: 535
    /// room-nig…" and a large revenue, "revenue 27608991…", were cut at 80 columns. Shorter words,
    /// never fewer figures; only a line too long even then is cut.
    public static func dashboardFigureLines(_ report: OccupancyReport, width: Int) -> (range: String, today: String) {
        let summary = report.summary
        let occupancy = OccupancyReport.percent(summary.occupancy)
        let (adr, revpar, revenue) = (summary.adr.plain, summary.revpar.plain, summary.roomRevenue.plain)
        let (arriving, leaving, inHouse) = (report.arrivalsToday, report.departuresToday, report.inHouseToday)
        let (days, pickup) = (OccupancyReport.pickupDays, report.pickupRoomNights)
        let range = [
            " Range: occupancy \(occupancy)% · ADR \(adr) · RevPAR \(revpar) · revenue \(revenue)",
            " Range: occ. \(occupancy)% · ADR \(adr) · RevPAR \(revpar) · rev. \(revenue)",
            " Occ. \(occupancy)% · ADR \(adr) · RevPAR \(revpar) · rev. \(revenue)",
        ]
        let today = [
            " Today \(arriving) arriving · \(leaving) leaving · \(inHouse) in house · pickup \(days) days: \(pickup.counted("room-night"))",
            " Today \(arriving) arr. · \(leaving) dep. · \(inHouse) in house · pickup \(days) days: \(pickup.counted("room-night"))",
            " Today \(arriving) arr. · \(leaving) dep. · \(inHouse) in house · pickup \(days) days: \(pickup)",
        ]
        func longestFitting(_ candidates: [String]) -> String {
            candidates.first { TerminalWidth.of($0) <= width - 1 } ?? candidates[candidates.count - 1]
        }
        return (longestFitting(range), longestFitting(today))
    }

    private func drawHeader(_ columns: [(String, Int, Bool)], y: Int, into buffer: inout CellBuffer) {
        buffer.fill(y: y, role: .header)
        drawRow(columns.map(\.0), columns: columns, y: y, role: .header, into: &buffer)
    }

    private func drawRow(_ values: [String], columns: [(String, Int, Bool)], y: Int, role: Role, into buffer: inout CellBuffer) {
        var x = 1
        for ((_, width, right), value) in zip(columns, values) where width > 0 {
            buffer.cell(value, x: x, y: y, width: width, role: role, right: right)
            x += width + 1
        }
    }
}
