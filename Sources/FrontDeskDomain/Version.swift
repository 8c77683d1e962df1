/// The version of Front Desk, written once: `frontdesk --version`, the man page and the booking
/// server's `--version` read it. Semantic versioning, 0.x until the first release a hotel relies on;
/// the database schema has its own number (`FrontDeskStore.schemaVersion`).
public enum FrontDeskVersion {
    public static let current = "0.1.0"
}
