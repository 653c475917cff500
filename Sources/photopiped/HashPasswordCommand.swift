import ArgumentParser
import Foundation
import PipelineCore

/// `photopiped hash-password`: a password from stdin to the hash a `[web.user.NAME]` table stores.
struct HashPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Read a password from stdin and print its hash for [web.user.NAME] password.",
        discussion: "At a terminal the password is asked for twice and not shown. Otherwise the first line of stdin is read (`printf '%s\\n' \"$PW\" | photopiped hash-password`).")

    func run() throws {
        let password: String
        if isatty(STDIN_FILENO) == 1 {
            guard let first = readHidden(prompt: "Password: ") else { throw fail("no password read") }
            guard let again = readHidden(prompt: "Again: ") else { throw fail("no password read") }
            guard first == again else { throw fail("the two passwords differ") }
            password = first
        } else {
            guard let line = readLine(strippingNewline: true) else { throw fail("no password on stdin") }
            password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        }
        guard !password.isEmpty else { throw fail("the password is empty") }
        do { print(try PasswordHash.make(password)) }
        catch { throw fail("\(error)") }
    }

    /// One line from the terminal with echo off (restored afterwards). Echo goes off before the
    /// prompt appears, so nothing typed after the prompt can be echoed.
    private func readHidden(prompt: String) -> String? {
        var saved = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if haveTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        return readLine(strippingNewline: true)
    }

    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("hash-password: \(message)\n".utf8))
        return ExitCode(1)
    }
}
