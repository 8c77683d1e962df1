/// What the desk says when a card payment is asked for but no payment service is set up: in
/// words a receptionist can pass on to whoever looks after the desk's settings.
public enum PaymentSetup {
    /// The settings file named as the desk reads it (`$XDG_CONFIG_HOME` honoured), so whoever sets
    /// it up edits the file the desk will read.
    public static func missing(settingsFile: String) -> String {
        "Card payments are not set up: ask your manager to set payment_url "
            + "(the payment service's address) in \(settingsFile), or FRONTDESK_PAYMENT_URL"
    }
}
