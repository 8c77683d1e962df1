import Foundation

/// A database file a command may create, noted before it opens it: whether it was there, and the
/// folders the store will create on the way (`a/b/c.sqlite` with neither `a` nor `b`). A command
/// that fails before the file holds anything of use removes what it made, innermost first, so
/// nothing is left behind but the message (a later command would find an empty database and
/// answer "No bookings match."). The desk's commands and `frontdesk-server`'s both use it.
public struct NewDatabaseFile: Sendable {
    public let path: String
    public let existed: Bool
    private let folders: [String]

    public init(path: String) {
        self.path = path
        // `lstat`, not `fileExists`: a link whose target is missing is there, and is not ours to remove.
        var status = stat()
        existed = lstat(path, &status) == 0
        var folders: [String] = []
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path), ancestor.path != "/" {
            folders.append(ancestor.path)
            ancestor = ancestor.deletingLastPathComponent()
        }
        self.folders = folders
    }

    /// Removes the file (with its log and lock files) and the empty folders made for it, if this
    /// run made it. The store must be closed first.
    public func removeIfMadeHere() {
        guard !existed else { return }
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        for made in folders where (try? FileManager.default.contentsOfDirectory(atPath: made))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: made)
        }
    }

    /// `removeIfMadeHere` unless the file holds a hotel by now: a command that fails after its
    /// first hotel was written (a demo's second hotel refused) keeps what it made. A file that
    /// cannot even be opened (the disk full as it was created) goes too.
    public func removeIfMadeHereAndHoldsNoHotel() {
        guard !existed else { return }
        if (try? FrontDeskStore(path: path, access: .read).hotels().isEmpty == false) == true { return }
        removeIfMadeHere()
    }
}
