/// What the desk says when a card payment is asked for but no payment service is set up: in
/// words a receptionist can pass on to whoever looks after the desk's settings.
public enum PaymentSetup {
    public static let missing = "Card payments are not set up: ask your manager to set payment_url "
        + "(the payment service's address) in ~/.config/frontdesk/config.toml, or FRONTDESK_PAYMENT_URL"
}
