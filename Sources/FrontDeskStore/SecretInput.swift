import Foundation

/// A line typed by a person that must not be shown: a card number given as `--card -`, a
/// password for `desk connect` or `frontdesk-server users add`. (Here, beside the files both
/// command lines open, since both read it; the domain does no I/O.)
public enum SecretInput {
    /// One line of standard input. From a terminal, `prompt` goes to stderr and what is typed is
    /// not echoed (like a password prompt); from a pipe or file, the line is read as it is.
    public static func readLine(prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1 else { return Swift.readLine(strippingNewline: true) }
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return Swift.readLine(strippingNewline: true) }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return Swift.readLine(strippingNewline: true)
    }
}
