import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport

/// The small test hotel plus two rooms whose type names need care: accents and double width.
struct ScreenFixture {
    let desk: StoreFixture
    var model: DeskModel

    init() throws {
        desk = try StoreFixture()
        _ = try desk.store.addRoomType(name: "和室 Washitsu", capacity: 2, basePrice: Money(minorUnits: 15_000), by: "setup")
        _ = try desk.store.addRoomType(name: "Chambre Élégance", capacity: 2, basePrice: Money(minorUnits: 17_500), by: "setup")
        _ = try desk.store.addRoom(number: "401", typeName: "和室 Washitsu", by: "setup")
        _ = try desk.store.addRoom(number: "402", typeName: "Chambre Élégance", by: "setup")
        let store = desk.store
        model = DeskModel(
            info: DeskInfo(hotelName: "Hotel Test", currency: "EUR", businessDate: StoreFixture.today, user: "anna"),
            services: DeskServices(
                search: { checkIn, checkOut, guests in
                    let result = try store.search(checkIn: checkIn, checkOut: checkOut, guests: guests)
                    return SearchAnswer(query: result.query, offers: result.offers)
                },
                book: { form, payment in try store.reserve(form, payment: payment, by: "anna") },
                booking: { id in try store.booking(id.uuidString) },
            findBookings: { query in
                try store.bookings(BookingFilter(from: query.from, to: query.to, status: query.status,
                                                 guestText: query.text.isEmpty ? nil : query.text, limit: 120))
            },
            bookingsOn: { date in try store.bookings(BookingFilter(from: date, to: date)) },
            cancel: { id in try store.cancel(id.uuidString, reason: nil, by: "anna") },
            checkIn: { id in try store.checkIn(id.uuidString, by: "anna") },
            checkOut: { id in try store.checkOut(id.uuidString, by: "anna") },
                cardPaymentsAvailable: false),
            roomServices: DeskTerminalApp.roomServices(store: store, user: "manager"))
        model.setClock("09:30")
    }

    /// The saga runner's work, done now (the terminal runs it on its own thread).
    mutating func runSaga() throws {
        try SagaRunner(store: desk.store, gateway: nil).runUntilIdle()
        model.bookingsChanged()
    }

    mutating func press(_ keys: Key...) {
        for key in keys { _ = model.handle(key) }
    }

    mutating func type(_ text: String) {
        for character in text { _ = model.handle(.character(character)) }
    }

    func screen(_ width: Int = 80, _ height: Int = 24) -> String {
        model.render(width: width, height: height).lines.joined(separator: "\n")
    }
}
