/// The k-th smallest of a list (0-based), as sorting it and taking index k would give, in linear time
/// on average: the list is reordered, not sorted (Hoare partition around the median of three).
enum Select {
    static func kth(_ a: inout [Float], _ k: Int) -> Float {
        precondition(k >= 0 && k < a.count)
        var lo = 0, hi = a.count - 1
        return a.withUnsafeMutableBufferPointer { a in
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                if a[mid] < a[lo] { a.swapAt(mid, lo) }
                if a[hi] < a[lo] { a.swapAt(hi, lo) }
                if a[hi] < a[mid] { a.swapAt(hi, mid) }
                let pivot = a[mid]
                var i = lo, j = hi
                while i <= j {
                    while a[i] < pivot { i += 1 }
                    while pivot < a[j] { j -= 1 }
                    if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { hi = j } else if k >= i { lo = i } else { return a[k] }
            }
            return a[k]
        }
    }
}
