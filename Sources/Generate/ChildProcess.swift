import CSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs an executable directly (no shell) in its own process group, in a given folder, with stdout
/// and stderr going to files there, and kills the whole group (SIGTERM, then SIGKILL) at the deadline.
/// The group has a guard (`pp_spawn_guarded`), so a worker killed from outside, even by SIGKILL, takes
/// the command and whatever it started with it.
enum ChildProcess {
    enum Outcome: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    static let graceSeconds = 1.0

    static func run(_ executable: String, arguments: [String], folder: String, environment: [String: String],
                    stdout: String, stderr: String, deadline: Date) throws -> Outcome {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var keep: Int32 = -1
        let pid = pp_spawn_guarded(executable, argv, envp, folder, stdout, stderr, &keep)
        guard pid > 0 else { throw GeneratorFailure("cannot_run", "cannot run \(executable): \(String(cString: strerror(errno)))", retry: false) }
        // Closed only once the guard is collected: closing it earlier tells the guard we are gone.
        defer { close(keep) }

        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw GeneratorFailure("cannot_run", "waiting for \(executable): \(String(cString: strerror(errno)))", retry: true) }
            if Date() >= deadline {
                kill(-pid, SIGTERM)
                let grace = Date().addingTimeInterval(graceSeconds)
                while waitpid(pid, &status, WNOHANG) == 0 && Date() < grace { usleep(20_000) }
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return .timedOut
            }
            usleep(10_000)
        }
        // Whatever the command left running in its group goes with it.
        kill(-pid, SIGKILL)
        let low = status & 0x7f
        return low == 0 ? .exited((status >> 8) & 0xff) : .signalled(low)
    }
}
