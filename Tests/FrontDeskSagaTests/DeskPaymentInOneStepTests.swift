import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// Issue 11, session 6: the runner takes a desk payment in the same step as the room's
/// reservation, so a desk booking needs one of the runner's transactions, not two, and never
/// waits in ProcessingPayment for the runner's next pass. What the saga records stays the same:
/// its three audit entries, the payment reference, the events.
@Suite struct DeskPaymentInOneStepTests {
    @Test func oneRunnerPassTakesADeskBookingFromReservingToConfirmedThroughItsStates() throws {
        let desk = try StoreFixture()
        let held = try desk.store.reserve(desk.form(room: "101"), by: "anna")
        #expect(held.status == .reserving)
        let runner = SagaRunner(store: desk.store, gateway: nil)

        #expect(try runner.processLocalWork() == 1) // RoomReserved, and the payment with it

        let saga = try desk.store.saga(held.confirmationCode)
        #expect(saga.booking.status == .confirmed)
        #expect(saga.booking.version == 3) // Reserving 1, ProcessingPayment 2, Confirmed 3
        #expect(saga.paymentReference == "desk-\(held.confirmationCode)")
        #expect(saga.pendingMessages.isEmpty) // the expiry is dropped; no ProcessPayment was left queued
        let trail = try desk.store.auditTrail(bookingReference: held.confirmationCode)
        #expect(trail.map(\.action) == ["booking.confirmed", "booking.paymentStarted", "booking.reserved"])
        #expect(trail.map(\.user) == ["system", "system", "anna"])
        #expect(trail[1].summary == "Taking payment for booking \(held.confirmationCode)")
        #expect(trail[1].before?.contains("\"Reserving\"") == true)
        #expect(trail[1].after?.contains("\"ProcessingPayment\"") == true)
        #expect(trail[0].before == trail[1].after) // the step's states follow each other
        #expect(trail[0].after?.contains("\"Confirmed\"") == true)
        #expect(try runner.processLocalWork() == 0)
    }

    @Test func aGroupOfDeskBookingsIsConfirmedInOnePassAndItsRoomsAreSold() throws {
        let desk = try StoreFixture()
        let requests = ["101", "102", "103"].map { ReservationRequest(form: desk.form(room: $0), user: "anna") }
        let held = try desk.store.reserveAll(requests).map { try $0.get() }
        let runner = SagaRunner(store: desk.store, gateway: nil)
        #expect(try runner.processLocalWork() == 3)
        for booking in held { #expect(try desk.store.booking(booking.confirmationCode).status == .confirmed) }
        #expect(try !desk.freeRooms().contains("101"))
        #expect(try desk.count("saga_message") == 0)
    }

    @Test func aHoldThatLapsedBeforeTheRunnerCameFailsAndTakesNoPayment() throws {
        let desk = try StoreFixture()
        let held = try desk.store.reserve(desk.form(room: "102"), by: "anna")
        desk.clock.advance(minutes: 16) // past the 15-minute hold
        try SagaRunner(store: desk.store, gateway: nil).runUntilIdle()
        let saga = try desk.store.saga(held.confirmationCode)
        #expect(saga.booking.status == .failed)
        #expect(saga.booking.statusReason == BookingSaga.expiredReason)
        #expect(saga.paymentReference == nil)
        #expect(try desk.freeRooms().contains("102"))
    }

    @Test func aCardBookingStillWaitsForThePaymentService() throws {
        let desk = try StoreFixture()
        let held = try desk.store.reserve(desk.form(room: "103"), payment: PaymentInstruction(method: .card, cardNumber: "4242424242424242"),
                                          by: "anna")
        #expect(try SagaRunner(store: desk.store, gateway: nil).processLocalWork() == 1)
        let saga = try desk.store.saga(held.confirmationCode)
        #expect(saga.booking.status == .processingPayment)
        #expect(saga.pendingMessages.map(\.name).contains("ProcessPayment"))
    }

    @Test func aRoomNamedByItsIdIsLookedUpInTheBookingsOwnTransaction() throws {
        let desk = try StoreFixture()
        let room = try #require(try desk.store.rooms().first { $0.room.number == "201" })
        let byId = ReservationRequest(form: desk.form(room: ""), user: "anna", roomId: room.room.id)
        let unknown = ReservationRequest(form: desk.form(room: ""), user: "anna", roomId: UUID())
        let outcomes = try desk.store.reserveAll([byId, unknown])
        let booking = try outcomes[0].get()
        #expect(booking.roomNumber == "201")
        #expect(booking.roomId == room.room.id)
        #expect(throws: FrontDeskError.self) { try outcomes[1].get() }
        if case .failure(FrontDeskError.notFound(let message)) = outcomes[1] {
            #expect(message.hasPrefix("No room with id"))
        } else {
            Issue.record("an unknown room id should be not found, got \(outcomes[1])")
        }
    }
}
