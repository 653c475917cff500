import CShims

/// Pixel arithmetic used to synthesise images (sample shots, test fixtures).
extension Image {
    public static func coordinates(width: Int, height: Int) throws -> (x: Image, y: Image) {
        let xy = try make("xyz") { ppv_xyz(Int32(width), Int32(height), $0) }
        return (try xy.band(0), try xy.band(1))
    }
    public static func noise(width: Int, height: Int, sigma: Double) throws -> Image {
        try make("gaussnoise") { ppv_gaussnoise(Int32(width), Int32(height), sigma, $0) }
    }
    public func band(_ index: Int) throws -> Image { try Image.make("extract band") { ppv_extract_band(pointer, $0, Int32(index)) } }
    /// `a * self + b`, per band; a one-band image with n-element vectors becomes n bands.
    public func linear(_ a: [Double], _ b: [Double]) throws -> Image {
        precondition(a.count == b.count && !a.isEmpty)
        return try Image.make("linear") { out in
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                ppv_linear(pointer, out, pa.baseAddress, pb.baseAddress, Int32(a.count))
            } }
        }
    }
    public func linear(_ a: Double, _ b: Double) throws -> Image { try linear([a], [b]) }
    public static func + (l: Image, r: Image) throws -> Image { try make("add") { ppv_add(l.pointer, r.pointer, $0) } }
    public static func * (l: Image, r: Image) throws -> Image { try make("multiply") { ppv_multiply(l.pointer, r.pointer, $0) } }
    /// 255 where the pixel is below `value`, else 0.
    public func less(than value: Double) throws -> Image { try Image.make("less") { ppv_less_const(pointer, $0, value) } }
    /// Blends `a` where the mask is 255 and `b` where it is 0.
    public static func select(mask: Image, _ a: Image, _ b: Image) throws -> Image {
        try make("ifthenelse") { ppv_ifthenelse(mask.pointer, a.pointer, b.pointer, $0) }
    }
    public func blurred(sigma: Double) throws -> Image { try Image.make("gaussblur") { ppv_gaussblur(pointer, $0, sigma) } }
    public func castUChar() throws -> Image { try Image.make("cast") { ppv_cast_uchar(pointer, $0) } }
}
