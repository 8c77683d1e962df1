import Foundation
import FrontDeskDomain

extension DeskModel {
    public static let minimumSize = (width: 80, height: 24)
    /// A room number's column in the desk's lists, as wide as the longest number a room may have:
    /// at 6 columns "Garden 101" and "Garden 102" both read "Garde…".
    static let roomColumnWidth = Room.maximumNumberLength

    /// The whole screen for a terminal of `width` x `height`.
    public func render(width: Int, height: Int) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        guard width >= Self.minimumSize.width, height >= Self.minimumSize.height else {
            // Shorter forms first where the long one does not fit: the sizes must show.
            let message = ["Terminal too small: \(width)x\(height), need \(Self.minimumSize.width)x\(Self.minimumSize.height)",
                           "Too small: \(width)x\(height), need \(Self.minimumSize.width)x\(Self.minimumSize.height)",
                           "\(width)x\(height) < \(Self.minimumSize.width)x\(Self.minimumSize.height)"]
                .first { TerminalWidth.of($0) <= width } ?? "\(Self.minimumSize.width)x\(Self.minimumSize.height)"
            buffer.put(message, x: max(0, (width - TerminalWidth.of(message)) / 2), y: height / 2, role: .error)
            return buffer
        }
        drawStatusLine(into: &buffer)
        switch state.screen {
        case .search:
            drawSearch(into: &buffer)
            drawFooter(scope: .search, into: &buffer)
            if let notice = state.notice { buffer.put(" ! \(notice)", x: 0, y: height - 2, role: .error, maxWidth: width - 1) }
        case .booking:
            drawBooking(into: &buffer)
            drawFooter(scope: .booking, into: &buffer)
        case .bookings:
            drawBookings(into: &buffer)
            drawFooter(scope: activeScope, into: &buffer)
        case .today:
            drawToday(into: &buffer)
            drawFooter(scope: activeScope, into: &buffer)
        case .rooms:
            drawRooms(into: &buffer)
            drawFooter(scope: roomsScope, into: &buffer)
        case .roomPlan:
            drawRoomPlan(into: &buffer)
            drawFooter(scope: .roomPlan, into: &buffer)
        case .dashboard:
            drawDashboard(into: &buffer)
            drawFooter(scope: .dashboard, into: &buffer)
        case .conflicts:
            drawConflicts(into: &buffer)
            drawFooter(scope: .conflicts, into: &buffer)
        }
        if let question = state.quitQuestion {
            drawQuestion(question.lines, yes: question.yes, noLabel: "No, stay", yesLabel: "Yes, quit", into: &buffer)
            drawFooter(scope: .confirm, into: &buffer)
        }
        if state.overlay == .help { HelpOverlay.draw(scope: activeScope, into: &buffer) }
        return buffer
    }

    /// Whose keys act now, for the footer and the help: over a list, an open question's or the
    /// edit form's (the list's Alt-c and Alt-i do nothing there, and the form's Enter saves).
    var activeScope: Scope {
        if state.quitQuestion != nil { return .confirm }
        let actions: ListActions? = switch state.screen {
        case .bookings: state.bookings.actions
        case .today: state.today.actions
        default: nil
        }
        if let actions {
            if actions.confirmation != nil { return .confirm }
            if actions.editing != nil { return .edit }
            if actions.movePrompt != nil { return .movePrompt }
        }
        if state.screen == .rooms { return roomsScope }
        return state.screen.scope
    }

    /// The least room the status line leaves a desk-wide notice before its other words give way.
    static let noticeRoomAtLeast = 40

    func drawStatusLine(into buffer: inout CellBuffer) {
        buffer.fill(y: 0, role: .status)
        let info = state.info
        let right = (isSaving ? "saving… " : "") + (state.clock.isEmpty ? "" : "\(state.clock) ")
        let room = buffer.width - TerminalWidth.of(right) - 1
        // A connected desk: the sync words right after the hotel and date, where a narrow terminal
        // still shows them (offline, what waits, conflicts). When the whole line does not fit, the
        // short sync words, then without "business date", the user, the label and the hotel, so
        // that the background's words (a payment service down, what to do) stay whole at 80 columns.
        let background = "background: \(state.backgroundWork)"
        let longSync = state.sync.map { "\($0.words) · " } ?? ""
        let shortSync = state.sync.map { "\($0.shortWords) · " } ?? ""
        let candidates = [
            " \(info.hotelName) · business date \(info.businessDate) · \(longSync)\(info.user) · \(background)",
            " \(info.hotelName) · \(info.businessDate) · \(shortSync)\(info.user) · \(background)",
            " \(info.hotelName) · \(info.businessDate) · \(shortSync)\(background)",
            " \(info.hotelName) · \(shortSync)\(background)",
            " \(info.hotelName) · \(shortSync)\(state.backgroundWork)",
            " \(shortSync)\(state.backgroundWork)",
        ]
        let left = candidates.first { TerminalWidth.of($0) <= room } ?? candidates[candidates.count - 1]
        if let notice = state.notice, state.screen != .search {
            // A warning for the whole desk (the database cannot be read, a pushed booking's new
            // code to tell the guest, a booking the server refused) on every screen, not only the
            // search's row for it. Where the line is narrow, the hotel, the date and the time of
            // the last sync give way first, so that the notice keeps room enough to be read (at
            // 80 columns a refusal was "!…" after the sync words).
            let sync = state.sync.map { "\($0.shortWords) · " } ?? ""
            let urgent = state.sync.map { "\($0.urgentWords) · " } ?? ""
            let prefixes = [" \(info.hotelName) · \(info.businessDate) · \(sync)", " \(info.businessDate) · \(sync)", " \(urgent)", " "]
            let wanted = min(TerminalWidth.of("! \(notice)"), Self.noticeRoomAtLeast)
            let prefix = prefixes.first { room - TerminalWidth.of($0) >= wanted } ?? prefixes[prefixes.count - 1]
            let x = buffer.put(prefix, x: 0, y: 0, role: .status, maxWidth: room)
            if room - x > 0 { buffer.put("! \(notice)", x: x, y: 0, role: .error, maxWidth: room - x) }
        } else {
            buffer.put(left, x: 0, y: 0, role: .status, maxWidth: room)
        }
        buffer.put(right, x: buffer.width - TerminalWidth.of(right), y: 0, role: .status)
    }

    func drawFooter(scope: Scope, into buffer: inout CellBuffer) {
        let y = buffer.height - 1
        buffer.fill(y: y, role: .footer)
        var x = 1
        for command in CommandTable.footer(for: scope) {
            let key = command.keys.first!.description
            guard x + TerminalWidth.of(key) + TerminalWidth.of(command.label) + 2 < buffer.width else { break }
            x += buffer.put(key, x: x, y: y, role: .footerKey)
            x += 1
            x += buffer.put(command.label, x: x, y: y, role: .footer)
            x += 2
        }
    }

    func drawSearch(into buffer: inout CellBuffer) {
        let search = state.search
        buffer.put(" Search rooms", x: 0, y: 1, role: .title)
        var x = 1
        for (field, label, text, width) in [
            (SearchField.checkIn, "Check-in", search.checkIn, 12), (.nights, "Nights", search.nights, 4), (.guests, "Guests", search.guests, 4),
        ] {
            x += buffer.put("\(label) ", x: x, y: 3, role: .normal)
            let focused = search.focus == field
            buffer.field(text, typing: focused, x: x, y: 3, width: width, role: focused ? .focusedField : .field)
            x += width + 2
        }
        if let answer = search.answer {
            buffer.put("→ check-out \(answer.query.stay.checkOut)", x: x, y: 3, role: .hint)
        }
        // Each problem whole, wrapped (the refusal of a past night names, at its end, the night
        // still on sale: cut at 80 columns, that part was lost); there is no answer under them.
        var problemY = 4
        for problem in search.problems.prefix(4) {
            for (index, row) in CellBuffer.wrap(problem, width: buffer.width - 5).enumerated() where problemY < buffer.height - 2 {
                buffer.put((index == 0 ? " ! " : "   ") + row, x: 1, y: problemY, role: .error, maxWidth: buffer.width - 2)
                problemY += 1
            }
        }
        guard let answer = search.answer else { return }

        let top = 5
        let currency = state.info.currency
        let summary = "\(answer.offers.count) room\(answer.offers.count == 1 ? "" : "s") free for \(answer.query.guestCount) guest\(answer.query.guestCount == 1 ? "" : "s"), \(answer.query.stay.nightCount) night\(answer.query.stay.nightCount == 1 ? "" : "s"), prices in \(currency)"
        let summaryWidth = buffer.put(" \(summary)", x: 0, y: top, role: .hint)
        if let taken = search.taken {
            buffer.put(" · \(taken)", x: summaryWidth, y: top, role: .error, maxWidth: max(0, buffer.width - summaryWidth - 1))
        }
        let typeWidth = buffer.width - 2 - Self.roomColumnWidth - 7 - 11 - 12 - 4
        let columns: [(String, Int, Bool)] = [("Room", Self.roomColumnWidth, false), ("Type", typeWidth, false), ("Sleeps", 7, true),
                                              ("Avg/night", 11, true), ("Total", 12, true)]
        var headerX = 1
        buffer.fill(y: top + 1, role: .header)
        for (title, width, right) in columns {
            buffer.cell(title, x: headerX, y: top + 1, width: width, role: .header, right: right)
            headerX += width + 1
        }
        // Rooms an overstaying guest still sleeps in are named under the list, not silently missing.
        let withheldLines = answer.withheld.prefix(answer.withheld.count > 2 ? 1 : 2).map(\.explanation)
            + (answer.withheld.count > 2 ? ["\(answer.withheld.count - 1) more rooms not offered: their guests are still checked in past departure (Today, Overstayed)"] : [])
        for (index, line) in withheldLines.enumerated() {
            buffer.put(" \(line)", x: 0, y: buffer.height - 1 - withheldLines.count + index, role: .hint, maxWidth: buffer.width - 1)
        }
        let rowsVisible = buffer.height - (top + 2) - 1 - withheldLines.count
        let first = min(max(0, search.selected - rowsVisible + 1), max(0, answer.offers.count - rowsVisible))
        for (row, offer) in answer.offers.dropFirst(first).prefix(rowsVisible).enumerated() {
            let y = top + 2 + row
            let isSelected = search.focus == .results && first + row == search.selected
            let role: Role = isSelected ? .selected : .normal
            if isSelected { buffer.fill(y: y, role: .selected) }
            let values = [offer.room.number, offer.roomType.name, String(offer.roomType.capacity),
                          offer.totalPrice.divided(by: offer.nightlyPrices.count).plain, offer.totalPrice.plain]
            var cellX = 1
            for ((_, width, right), value) in zip(columns, values) {
                buffer.cell(value, x: cellX, y: y, width: width, role: role, right: right)
                cellX += width + 1
            }
        }
    }
}

extension DeskModel {
    func drawBooking(into buffer: inout CellBuffer) {
        guard let form = state.booking else { return }
        let offer = form.offer
        let nights = form.stay.nightCount
        buffer.put(" New booking", x: 0, y: 1, role: .title)
        buffer.put(" Room \(offer.room.number) \(offer.roomType.name), \(form.stay.checkIn) to \(form.stay.checkOut) (\(nights) night\(nights == 1 ? "" : "s")), \(state.info.currency) \(offer.totalPrice.plain)",
                   x: 0, y: 2, role: .hint, maxWidth: buffer.width - 1)
        let labelWidth = 12
        let fieldWidth = min(48, buffer.width - labelWidth - 4)
        var y = 4
        // Each field has the row under it for its problem, so the form never jumps while typing.
        let editable = form.progress == nil || form.progress?.isFailure == true
        for field in form.fields {
            buffer.put(" \(field.label)", x: 0, y: y, role: .normal, maxWidth: labelWidth)
            let focused = form.focus == field && editable
            if field == .payment {
                let desk = form.payment == .desk ? "(•) desk" : "( ) desk"
                let card = form.payment == .card ? "(•) card" : "( ) card"
                buffer.cell("\(desk)  \(card)", x: labelWidth + 1, y: y, width: fieldWidth, role: focused ? .focusedField : .normal)
            } else {
                // The card number in full only while it is typed; after that its last four digits.
                let text = field == .card && !focused ? form.maskedCard : form.text(of: field)
                buffer.field(text, typing: focused, x: labelWidth + 1, y: y, width: fieldWidth,
                             role: focused ? .focusedField : .field)
            }
            let problems = form.problems.filter { BookingField.owning($0) == field }
            if !problems.isEmpty {
                // Under the field; one too long for that starts under the label (the row is the
                // problem's own): "… + - ( ) . only" of the phone's rule was cut at 80 columns.
                let text = "! " + problems.joined(separator: "; ")
                let problemX = TerminalWidth.of(text) <= buffer.width - labelWidth - 2 ? labelWidth + 1 : 1
                buffer.put(text, x: problemX, y: y + 1, role: .error, maxWidth: buffer.width - problemX - 1)
            }
            y += 2
        }
        for problem in form.problems where BookingField.owning(problem) == nil {
            // Whole, over several rows: "ask your manager to set payment_url … in FILE" is only
            // useful read to its end (issue 10).
            y += buffer.putWrapped("! \(problem)", x: 1, y: y, role: .error, width: buffer.width - 2)
        }
        let back = form.returnsTo == .roomPlan ? "the room plan" : "the search"
        if form.roomTaken && form.progress == nil {
            buffer.put(" ! Room \(offer.room.number) was just taken by another booking. Alt-n: the next free \(offer.roomType.name)",
                       x: 0, y: y, role: .error, maxWidth: buffer.width - 1)
            y += 1
        }
        // Beside a taken room too: what Alt-n found (or that nothing of the type is free).
        if let notice = form.notice {
            buffer.put(" \(notice)", x: 0, y: y, role: .accent, maxWidth: buffer.width - 1)
            y += 1
        }
        if let progress = form.progress {
            let role: Role = switch progress {
            case .confirmed: .accent
            case .failed, .refused: .error
            default: .hint
            }
            // A connected desk's booking made while offline is this desk's until the server takes it.
            let provisional = form.bookingId.flatMap { state.sync?.marker(for: $0) } == "~" && !progress.isFailure
                ? " ~ on this desk only until the server takes it (syncs when online)" : ""
            // Whole, over as many rows as it needs: a failure says what to do ("take the payment
            // at the desk"), cut at 80 columns it did not.
            y += buffer.putWrapped("\(progress.text)\(provisional)", x: 1, y: y + 1, role: role, width: buffer.width - 2) - 1
            if progress.isFailure {
                let retry = form.roomTaken ? "Alt-n: the next free \(offer.roomType.name), then Enter" : "Enter tries again (details kept; Alt-n: another room)"
                buffer.put(" \(retry) · Esc: back to \(back)", x: 0, y: y + 2, role: .hint, maxWidth: buffer.width - 1)
            } else if progress == .saving {
                buffer.put(" What you type now waits until it is saved · Esc: back to \(back) (the booking goes on)", x: 0, y: y + 2,
                           role: .hint, maxWidth: buffer.width - 1)
            } else if progress.isFinished {
                buffer.put(" Esc: back to \(back)", x: 0, y: y + 2, role: .hint)
            }
        } else {
            buffer.put(" Enter books. Esc goes back to \(back) and keeps what you typed.", x: 0, y: y + 1, role: .hint,
                       maxWidth: buffer.width - 1)
        }
    }
}

extension DeskModel {
    /// Code, status, room, dates, guest: one booking a row, the chosen one highlighted.
    func drawBookingRows(_ bookings: [Booking], selected: Int?, from top: Int, rows: Int, into buffer: inout CellBuffer) {
        let guestWidth = buffer.width - 2 - 8 - 12 - Self.roomColumnWidth - 11 - 11 - 6
        let columns: [(String, Int)] = [("Code", 8), ("Status", 12), ("Room", Self.roomColumnWidth), ("Arrive", 11), ("Depart", 11),
                                        ("Guest", guestWidth)]
        var x = 1
        buffer.fill(y: top, role: .header)
        for (title, width) in columns {
            buffer.cell(title, x: x, y: top, width: width, role: .header)
            x += width + 1
        }
        let first = selected.map { min(max(0, $0 - rows + 1), max(0, bookings.count - rows)) } ?? 0
        for (row, booking) in bookings.dropFirst(first).prefix(rows).enumerated() {
            let y = top + 1 + row
            let isSelected = selected == first + row
            if isSelected { buffer.fill(y: y, role: .selected) }
            var cellX = 1
            let values = [booking.confirmationCode + (state.sync?.marker(for: booking.id) ?? ""), booking.status.rawValue, booking.roomNumber, booking.stay.checkIn.iso,
                          booking.stay.checkOut.iso, booking.guest.name]
            for ((_, width), value) in zip(columns, values) {
                buffer.cell(value, x: cellX, y: y, width: width, role: isSelected ? .selected : .normal)
                cellX += width + 1
            }
        }
    }

    func drawMessage(_ actions: ListActions, into buffer: inout CellBuffer) {
        if let form = actions.editing {
            drawEditForm(form, into: &buffer)
            return
        }
        if let prompt = actions.movePrompt {
            let booking = prompt.booking
            buffer.fill(y: buffer.height - 2, role: .normal)
            let x = buffer.put(" Move \(booking.guest.name) (\(booking.confirmationCode), room \(booking.roomNumber)) to room ",
                               x: 0, y: buffer.height - 2, role: .accent, maxWidth: buffer.width - 30)
            buffer.field(prompt.text, typing: true, x: x, y: buffer.height - 2, width: 11, role: .focusedField)
            buffer.put("  Enter asks first · Esc: nothing changes", x: x + 11, y: buffer.height - 2, role: .hint,
                       maxWidth: max(0, buffer.width - x - 12))
            return
        }
        drawMessage(actions.message, isError: actions.messageIsError, confirmation: actions.confirmation, into: &buffer)
    }

    /// Alt-e: the booking's fields, filled in, each problem beside its field, in a box over the list.
    /// A problem longer than the room beside its field goes on under it, word-wrapped (the fields
    /// below move down a row for each such row); a problem of no field (a taken night, a booking
    /// changed elsewhere) is wrapped under the fields. The form takes those rows from the list
    /// behind it, never the message line or the footer. Cut at 80 columns, the problems lost what
    /// helps: the rooms free instead, how to type a date, "press Enter again".
    func drawEditForm(_ form: EditFormState, into buffer: inout CellBuffer) {
        let booking = form.booking
        let fields = EditField.allCases
        // Each field's problem from two columns after the field; the others across the form.
        var blocks = fields.map { field in
            EditFormBlock(field: field, x: 15 + field.columns,
                          rows: form.problem(for: field).map { Self.problemRows($0, width: buffer.width - 16 - field.columns) } ?? [])
        }
        for problem in form.problems where EditField.owning(problem) == nil {
            blocks.append(EditFormBlock(field: nil, x: 1, rows: Self.problemRows(problem, width: buffer.width - 2)))
        }
        let hasUnowned = blocks.contains { $0.field == nil }
        // The title and a blank row; a blank row over the problems of no field; a blank row and the keys.
        let chrome = 2 + (hasUnowned ? 1 : 0) + 2
        let most = buffer.height - 3
        // Too many rows (many long problems at 24 rows): the longest problem gives up its last
        // row first, the row before it then cut with "…"; every field and every problem's first
        // row stay.
        var over = chrome + blocks.map(\.rowsTaken).reduce(0, +) - most
        while over > 0, let longest = blocks.indices.filter({ blocks[$0].rows.count > 1 })
                .max(by: { blocks[$0].rows.count < blocks[$1].rows.count }) {
            let last = blocks[longest].rows.removeLast()
            blocks[longest].rows[blocks[longest].rows.count - 1] += " " + last.trimmingCharacters(in: .whitespaces)
            over -= 1
        }
        let height = min(most, max(fields.count + 6, chrome + blocks.map(\.rowsTaken).reduce(0, +)))
        let top = max(1, (buffer.height - height) / 2)
        let bottom = top + height - 2 // the blank row over the keys: no problem is drawn from here on
        for row in top..<(top + height) { buffer.fill(y: row, role: .normal) }
        buffer.put(" Edit booking \(booking.confirmationCode) · \(booking.status.rawValue) · room \(booking.roomNumber) · version \(booking.version)",
                   x: 0, y: top, role: .title, maxWidth: buffer.width - 1)
        var y = top + 2
        var underTheFields = false
        for block in blocks {
            if let field = block.field {
                buffer.put(" \(field.label)", x: 0, y: y, role: .normal)
                let focused = form.focus == field
                buffer.field(form.values[field] ?? "", typing: focused, x: 13, y: y, width: field.columns,
                             role: focused ? .focusedField : .field)
            } else if !underTheFields {
                underTheFields = true
                y += 1 // a blank row between the fields and the problems of no field
            }
            for (index, row) in block.rows.enumerated() where y + index < bottom {
                buffer.put(row, x: block.x, y: y + index, role: .error, maxWidth: buffer.width - 1 - block.x)
            }
            y += block.rowsTaken
        }
        // Whole at 80 columns ("Tab/↓ next field" cut "nothing changes" short).
        buffer.put(" Enter saves (one change, audited) · Tab/↓ next · Esc closes, nothing changes", x: 0, y: top + height - 1,
                   role: .hint, maxWidth: buffer.width - 1)
    }

    /// A problem in rows at most `width` wide, broken between words: "! " before the first,
    /// the others under its text.
    static func problemRows(_ problem: String, width: Int) -> [String] {
        CellBuffer.wrap(problem, width: max(1, width - 2)).enumerated().map { ($0.offset == 0 ? "! " : "  ") + $0.element }
    }

    func drawMessage(_ message: String?, isError: Bool, confirmation: PendingConfirmation?, into buffer: inout CellBuffer) {
        let y = buffer.height - 2
        if let confirmation {
            drawQuestion(confirmation.lines, yes: confirmation.yes, noLabel: "No, change nothing", yesLabel: confirmation.yesLabel,
                         into: &buffer)
        } else if let message {
            // Up to three rows, over the list's last ones: the part that helps (the rooms free
            // instead, the bookings that hold a room, a file's path) is often at the end.
            let rows = CellBuffer.wrap(message, width: buffer.width - 2)
            let shown = rows.count <= 3 ? rows : Array(rows.prefix(2)) + [rows.dropFirst(2).joined(separator: " ")]
            for (index, row) in shown.enumerated() {
                let rowY = y - (shown.count - 1) + index
                buffer.fill(y: rowY, role: .normal)
                buffer.put(" " + row, x: 0, y: rowY, role: isError ? .error : .hint, maxWidth: buffer.width - 1)
            }
        }
    }

    /// A question in a box in the middle: it cannot be missed or cut. Two buttons, No chosen
    /// first; the keys under them come from the command table. Lines starting "! " are warnings.
    func drawQuestion(_ lines: [String], yes: Bool, noLabel: String, yesLabel: String, into buffer: inout CellBuffer) {
        let noButton = "[ \(noLabel) ]", yesButton = "[ \(yesLabel) ]"
        let keys = CommandTable.footer(for: .confirm).filter { $0.scope == .confirm }
            .map { "\($0.keys.map(\.description).joined(separator: " ")): \($0.label)" }.joined(separator: " · ")
        // A line longer than the box can be wraps (a long name, a price's reason): the box
        // grows taller rather than cut what the question says.
        let inner = buffer.width - 8
        let question: [(text: String, role: Role)] = lines.flatMap { line in
            (line.isEmpty ? [""] : CellBuffer.wrap(line, width: inner)).map { ($0, line.hasPrefix("! ") ? Role.error : .accent) }
        }
        let rows = question + [("", .accent), ("", .accent), (keys, .accent)]
        let width = min(buffer.width - 4, (rows.map { TerminalWidth.of($0.text) }.max() ?? 0) + 4)
        let height = min(rows.count + 2, buffer.height - 2)
        let left = (buffer.width - width) / 2, top = max(1, (buffer.height - height) / 2)
        for row in top..<(top + height) { buffer.fill(x: left, y: row, width: width, role: .accent) }
        for (index, line) in rows.prefix(height - 2).enumerated() {
            buffer.put(line.text, x: left + 2, y: top + 1 + index, role: line.role, maxWidth: width - 4)
        }
        let buttonsY = top + 1 + question.count + 1
        let noWidth = buffer.put(noButton, x: left + 2, y: buttonsY, role: yes ? .accent : .selected)
        buffer.put(yesButton, x: left + 4 + noWidth, y: buttonsY, role: yes ? .selected : .accent)
    }

    func drawBookings(into buffer: inout CellBuffer) {
        let bookings = state.bookings
        buffer.put(" Bookings", x: 0, y: 1, role: .title)
        buffer.put(" Find ", x: 0, y: 3)
        buffer.field(bookings.query, typing: bookings.typingQuery, x: 6, y: 3, width: 30,
                     role: bookings.typingQuery ? .focusedField : .field)
        buffer.put("code, name, e-mail, dates, status", x: 38, y: 3, role: .hint, maxWidth: buffer.width - 39)
        let count = bookings.total > bookings.results.count
            ? "showing \(bookings.results.count) of \(bookings.total)"
            : "\(bookings.results.count) booking\(bookings.results.count == 1 ? "" : "s")"
        buffer.put(" \(count)\(loadingNote(.bookings))", x: 0, y: 5, role: .hint)
        let chosen = bookings.typingQuery || !bookings.results.indices.contains(bookings.selected) ? nil : bookings.results[bookings.selected]
        let detailRows = chosen == nil ? 0 : chosen!.notes.isEmpty && chosen!.roomSince == nil ? 4 : 5
        drawBookingRows(bookings.results, selected: chosen == nil ? nil : bookings.selected, from: 6,
                        rows: buffer.height - 6 - 4 - detailRows, into: &buffer)
        if let chosen { drawDetails(of: chosen, at: buffer.height - 3 - detailRows, into: &buffer) }
        drawMessage(bookings.actions, into: &buffer)
    }

    /// " (not yet on the server)" after a code made or changed here offline; nothing on a standalone desk.
    func syncNote(_ booking: UUID) -> String {
        switch state.sync?.marker(for: booking) {
        case "~": " (this desk's change not yet on the server)"
        case "!": " (refused by the server: F8)"
        default: ""
        }
    }

    /// The chosen booking in full, under the list.
    func drawDetails(of booking: Booking, at top: Int, into buffer: inout CellBuffer) {
        let nights = booking.stay.nightCount
        let prices = booking.nightlyPrices.map(\.price.plain)
        let code: String = booking.confirmationCode + syncNote(booking.id)
        // The move and the notes, each only when there is one: a move with no notes ended in a
        // stray " ·". (The room moved from is not on the booking, only in the store's room
        // nights; the room plan draws each night in its room.)
        let moveAndNotes: [String?] = [
            booking.roomSince.map { "Moved to room \(booking.roomNumber) from \($0)" },
            booking.notes.isEmpty ? nil : "Notes: " + booking.notes.map(\.text).joined(separator: " · "),
        ]
        let lastLine = moveAndNotes.compactMap { $0 }.joined(separator: " · ")
        let lines = [
            "\(code) \(booking.status.rawValue) · room \(booking.roomNumber) · \(booking.stay.checkIn) to \(booking.stay.checkOut) · \(nights) night\(nights == 1 ? "" : "s") · \(booking.guestCount) guest\(booking.guestCount == 1 ? "" : "s")\(booking.statusReason.map { " · \($0)" } ?? "")",
            "\(booking.guest.name)  <\(booking.guest.email)>\(booking.guest.phone.map { "  \($0)" } ?? "")",
            "Total \(state.info.currency) \(booking.totalPrice.plain)  (\(prices.prefix(8).joined(separator: ", "))\(prices.count > 8 ? ", …" : ""))  ·  version \(booking.version)",
        ] + (lastLine.isEmpty ? [] : [lastLine])
        buffer.fill(y: top, width: buffer.width, role: .normal)
        for (index, line) in lines.enumerated() {
            buffer.put(" " + line, x: 0, y: top + 1 + index, role: index == 0 ? .header : .normal, maxWidth: buffer.width - 1)
        }
    }

    func drawToday(into buffer: inout CellBuffer) {
        let today = state.today
        buffer.put(" Today, \(state.info.businessDate)", x: 0, y: 1, role: .title)
        // "in house" is the dashboard's figure (today's arrivals already in included); "staying on" the last section.
        // Guests due out today still checked in are in the house now too (asleep before 06:00):
        // said beside it. The bracket of how the figure is made goes first when the line is too
        // long (at 80 columns with guests due out), never the counts.
        let dueOut = today.dueOutTodayCount > 0 ? " + \(today.dueOutTodayCount) due out today" : ""
        let counts = " \(today.arrivals.count) arriving · \(today.departures.count) leaving · \(today.inHouseCount) in house tonight\(dueOut)"
        let made = " (\(today.inHouse.count) staying on\(today.overdueDepartures.isEmpty ? "" : ", \(today.overdueDepartures.count) overstayed"))"
        let whole = counts + made + loadingNote(.today)
        buffer.put(TerminalWidth.of(whole) <= buffer.width - 1 ? whole : counts + loadingNote(.today),
                   x: 0, y: 2, role: .hint, maxWidth: buffer.width - 1)
        buffer.put(" Find ", x: 0, y: 3)
        buffer.field(today.query, typing: today.typingQuery, x: 6, y: 3, width: 30, role: today.typingQuery ? .focusedField : .field)
        buffer.put("type a name, code or room", x: 38, y: 3, role: .hint, maxWidth: buffer.width - 39)
        let sections = today.sections
        var offset = 0
        var selectedSection: Int?
        for (index, section) in sections.enumerated() {
            if (offset..<(offset + section.bookings.count)).contains(today.selected) { selectedSection = index }
            offset += section.bookings.count
        }
        let layout = Self.todayLayout(counts: sections.map(\.bookings.count), selectedSection: selectedSection, height: buffer.height)
        var y = 4
        offset = 0
        for ((title, shortTitle, list), shown) in zip(sections, layout.rows) {
            defer { offset += list.count }
            guard let shown else { continue }
            let more = list.count > shown ? " · \(shown) of \(list.count) shown (↑/↓)" : ""
            // The count stays whole beside the title: a title too long for both is said shorter
            // (the overstayed guests' pushed "1 of 2 shown" off the line at 80 columns), and cut
            // only if that is still too long.
            let titleRoom = buffer.width - 1 - TerminalWidth.of(more)
            let heading = more.isEmpty || TerminalWidth.of(" \(title)") <= titleRoom ? title : shortTitle
            let headingWidth = buffer.put(" \(heading)", x: 0, y: y, role: .title, maxWidth: more.isEmpty ? nil : titleRoom)
            if !more.isEmpty { buffer.put(more, x: headingWidth, y: y, role: .hint, maxWidth: buffer.width - 1 - headingWidth) }
            let selectedHere = !today.typingQuery && (offset..<(offset + list.count)).contains(today.selected) ? today.selected - offset : nil
            drawBookingRows(list, selected: selectedHere, from: y + 1, rows: shown, into: &buffer)
            if list.isEmpty { buffer.put("   none", x: 0, y: y + 2, role: .hint) }
            y += 2 + max(shown, 1) + layout.gap
        }
        drawMessage(today.actions, into: &buffer)
    }

    /// How many rows of bookings each Today section shows (nil: not drawn); `todayLayout`'s rows.
    public static func todayRows(counts: [Int], selectedSection: Int?, height: Int) -> [Int?] {
        todayLayout(counts: counts, selectedSection: selectedSection, height: height).rows
    }

    /// How the Today sections share a screen `height` rows high. Each takes its title, its column
    /// header and its rows (at least one: a booking or "none"), from row 4 down to the fifth row
    /// from the bottom (the four below are the message's and the footer's), with a blank row
    /// between two sections. As many rows as fit top down while every section fits; when they do
    /// not, each section gets its title, header and one row, the rest going to the chosen row's
    /// section first, then to the others in turn, to the last row; the blank rows between the
    /// sections go first when that lets every one of them show (five sections at 80x24); a screen
    /// too low for all draws the run of sections around the chosen one. No row the keys can reach
    /// is ever off the screen, and no row stays empty while a section is cut (at 80x24 five
    /// sections left one off, the arrivals if the chosen row was below them, and a section said
    /// "1 of 2 shown" over four empty rows).
    public static func todayLayout(counts: [Int], selectedSection: Int?, height: Int) -> TodayLayout {
        let available = height - 8
        // The rows the drawn sections take, `gap` blank rows between two of them.
        func needed(_ rows: [Int?], gap: Int) -> Int {
            let drawn = rows.compactMap { $0 }
            return drawn.map { 2 + max($0, 1) }.reduce(0, +) + gap * max(0, drawn.count - 1)
        }
        // Top down, a long section taking at most half the rows below it.
        var greedy: [Int?] = []
        var y = 4
        for count in counts {
            guard y < height - 4 else { greedy.append(nil); continue }
            let shown = min(count, max(1, (height - 4 - y - 2) / 2))
            greedy.append(shown)
            y += 2 + max(shown, 1) + 1
        }
        let asTheyCome = greedy.allSatisfy { $0 != nil } && needed(greedy, gap: 1) <= available
        var rows = asTheyCome ? greedy : counts.map { Optional(min($0, 1)) }
        if needed(rows, gap: 0) > available {
            // Whole sections around the chosen one, one row each, as many as fit without blank rows.
            let fitting = max(1, available / 3)
            let chosen = selectedSection ?? 0
            let start = max(0, min(chosen - fitting / 2, counts.count - fitting))
            rows = counts.indices.map { (start..<(start + fitting)).contains($0) ? min(counts[$0], 1) : nil }
        }
        let gap = needed(rows, gap: 1) <= available ? 1 : 0
        var spare = max(0, available - needed(rows, gap: gap))
        // What is left: the chosen section first; then, as they came, the others top down (a tall
        // screen, one long section cut at half the height), else one row each in turn.
        func give(_ index: Int, most: Int) {
            guard spare > 0, counts.indices.contains(index), let shown = rows[index] else { return }
            let more = min(spare, most, counts[index] - shown)
            if more > 0 {
                rows[index] = shown + more
                spare -= more
            }
        }
        if let chosen = selectedSection { give(chosen, most: spare) }
        if asTheyCome {
            for index in counts.indices where index != selectedSection { give(index, most: spare) }
        }
        while spare > 0 {
            let before = spare
            for index in counts.indices { give(index, most: 1) }
            if spare == before { break }
        }
        return TodayLayout(rows: rows, gap: gap)
    }
}

/// How the Today screen's sections share its rows (`DeskModel.todayLayout`).
public struct TodayLayout: Equatable, Sendable {
    /// Rows of bookings each section shows; nil: the section is not drawn.
    public let rows: [Int?]
    /// Blank rows between two sections: 1, or 0 when only that lets every section show.
    public let gap: Int
}

/// Every command with its keys, drawn from the command table in a box over the screen.
public enum HelpOverlay {
    /// The keys of this screen and the ones that work everywhere.
    public static func lines(for scope: Scope) -> [(keys: String, description: String)] {
        commands(for: scope).map { (keys(of: $0), $0.description) }
    }

    /// The commands the overlay lists for `scope`, in the table's order (the ones that work
    /// everywhere first).
    static func commands(for scope: Scope) -> [Command] {
        CommandTable.all.filter { ($0.scope == .everywhere || $0.scope == scope) && $0.inHelp }
    }

    static func keys(of command: Command) -> String {
        command.helpKeys ?? command.keys.map(\.description).joined(separator: ", ")
    }

    /// Whether `scope`'s keys are too many for a row each above the rule in a `height`-row
    /// terminal: then the keys that work everywhere share rows, two to a row with their footer
    /// words (`draw`).
    public static func pairsTheKeysOfEverywhere(scope: Scope, height: Int) -> Bool {
        commands(for: scope).count + CommandTable.rule.count > height - 4
    }

    /// The box, centred. The rule is always drawn whole under the keys: it is how a receptionist
    /// learns that → then Enter says yes. Today at 80x24 has 19 keys, one more than the rows
    /// above the rule, and the rule's second line was the one left off. So when the keys do not
    /// fit a row each, the keys that work everywhere (F1 to F10 and Esc, the screens' keys the
    /// footer names too) take two to a row, each with its footer word ("F3, Alt-b  Bookings"),
    /// and this screen's own keys keep their sentence. Should even that not fit, the last row
    /// says how many keys are left out and where to read them: never the rule.
    public static func draw(scope: Scope, into buffer: inout CellBuffer) {
        let rule = CommandTable.rule
        let all = commands(for: scope)
        let innerRows = buffer.height - 4
        let paired = pairsTheKeysOfEverywhere(scope: scope, height: buffer.height)
        let everywhere = paired ? all.filter { $0.scope == .everywhere } : []
        var own = paired ? all.filter { $0.scope != .everywhere } : all
        let pairRows = (everywhere.count + 1) / 2
        // Rows for this screen's own keys; the last of them names what is left out, if anything is.
        let ownRows = max(0, innerRows - rule.count - pairRows)
        var leftOut = 0
        if own.count > ownRows {
            leftOut = own.count - max(0, ownRows - 1)
            own = Array(own.prefix(max(0, ownRows - 1)))
        }
        let leftOutLine = leftOut > 0 ? "… \(leftOut) more key\(leftOut == 1 ? "" : "s") of this screen: see the README" : nil
        let keyRows = pairRows + own.count + (leftOutLine == nil ? 0 : 1)

        let keyWidth = (own.map { TerminalWidth.of(keys(of: $0)) }.max() ?? 0) + 2
        let descriptionWidth = own.map { TerminalWidth.of($0.description) }.max() ?? 0
        let pairKeyWidth = (everywhere.map { TerminalWidth.of(keys(of: $0)) }.max() ?? 0) + 2
        let pairColumnWidth = pairKeyWidth + (everywhere.map { TerminalWidth.of($0.label) }.max() ?? 0)
        let contentWidth = max(own.isEmpty ? 0 : keyWidth + descriptionWidth, everywhere.isEmpty ? 0 : 2 * pairColumnWidth + 2,
                               rule.map { TerminalWidth.of($0) }.max() ?? 0, leftOutLine.map { TerminalWidth.of($0) } ?? 0)
        let width = min(buffer.width - 4, contentWidth + 4)
        // A blank row between the shared rows and this screen's keys, then one inside the frame
        // above and below, as far as the rows left by the keys and the rule allow.
        let spare = innerRows - keyRows - rule.count
        let gap = paired && spare >= 1 ? 1 : 0
        let padding = spare - gap >= 2 ? 1 : 0
        let height = min(buffer.height - 2, keyRows + gap + rule.count + 2 + 2 * padding)
        let x = (buffer.width - width) / 2, y = (buffer.height - height) / 2
        for row in y..<(y + height) { buffer.fill(x: x, y: row, width: width, role: .overlay) }
        buffer.put("┌" + String(repeating: "─", count: width - 2) + "┐", x: x, y: y, role: .overlay)
        buffer.put("└" + String(repeating: "─", count: width - 2) + "┘", x: x, y: y + height - 1, role: .overlay)
        for row in (y + 1)..<(y + height - 1) {
            buffer.put("│", x: x, y: row, role: .overlay)
            buffer.put("│", x: x + width - 1, y: row, role: .overlay)
        }
        buffer.put(" Keys (Esc closes) ", x: x + 2, y: y, role: .overlay)
        let inner = width - 4
        var row = y + 1 + padding
        // The keys of everywhere, down the left column and then the right, in the table's order.
        let columnWidth = (inner - 2) / 2
        for (index, command) in everywhere.enumerated() {
            let columnX = x + 2 + (index < pairRows ? 0 : columnWidth + 2)
            let columnY = row + index % max(1, pairRows)
            buffer.put(keys(of: command), x: columnX, y: columnY, role: .accent, maxWidth: pairKeyWidth)
            buffer.put(command.label, x: columnX + pairKeyWidth, y: columnY, role: .overlay, maxWidth: max(0, columnWidth - pairKeyWidth))
        }
        row += pairRows + gap
        for command in own {
            buffer.put(keys(of: command), x: x + 2, y: row, role: .accent, maxWidth: keyWidth)
            buffer.put(command.description, x: x + 2 + keyWidth, y: row, role: .overlay, maxWidth: max(0, inner - keyWidth))
            row += 1
        }
        if let leftOutLine {
            buffer.put(leftOutLine, x: x + 2, y: row, role: .hint, maxWidth: inner)
            row += 1
        }
        for line in rule {
            buffer.put(line, x: x + 2, y: row, role: .hint, maxWidth: inner)
            row += 1
        }
    }
}

extension EditField {
    /// The columns of the field in the edit form; its problem starts two after it.
    var columns: Int {
        switch self {
        case .note: 40
        case .guests: 4
        case .checkIn, .checkOut: 12
        case .guestName, .email, .phone: 30
        }
    }
}

/// Rows of the edit form: a field with the rows of its problem (the first beside it), or a
/// problem of no field, under the fields.
private struct EditFormBlock {
    let field: EditField?
    /// The column the problem's rows start at.
    let x: Int
    var rows: [String]

    /// A field takes its row even with no problem.
    var rowsTaken: Int { field == nil ? rows.count : max(1, rows.count) }
}
