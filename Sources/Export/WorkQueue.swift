import Foundation

/// Runs independent jobs on a few threads and returns their results in input order.
enum WorkQueue {
    /// - Parameter size: jobs are started biggest first, so the threads finish together.
    static func map<T: Sendable, R: Sendable>(_ items: [T], threads: Int, size: (T) -> Int = { _ in 0 },
                                              _ body: @escaping @Sendable (T) -> R) -> [R] {
        let n = max(1, min(threads, items.count))
        if n == 1 { return items.map(body) }
        let order = items.indices.sorted { size(items[$0]) > size(items[$1]) }
        let box = Results<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: n) { _ in
            while let k = box.claim() { box.set(order[k], body(items[order[k]])) }
        }
        return box.values.map { $0! }
    }

    private final class Results<R>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        var values: [R?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func claim() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < values.count else { return nil }
            next += 1
            return next - 1
        }
        func set(_ i: Int, _ v: R) { lock.lock(); values[i] = v; lock.unlock() }
    }
}
