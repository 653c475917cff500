import CShims

/// The single JPEG contact sheet of a batch: each thumbnail centred in a square cell on white,
/// framed in its status colour, its label underneath, cells in a grid (arrayjoin makes every
/// cell the size of the largest, so each tile is built whole first).
public enum ContactSheetImage {
    public struct Cell {
        public var thumbnail: String
        public var label: String
        public var frame: RGB
        public init(thumbnail: String, label: String, frame: RGB) { self.thumbnail = thumbnail; self.label = label; self.frame = frame }
    }

    public static func render(_ cells: [Cell], cellSize: Int = 240, columns: Int = 8) throws -> Image {
        try Vips.start()
        guard !cells.isEmpty else { throw ImagingError(message: "a contact sheet needs at least one thumbnail") }
        let border = 6, labelHeight = 34
        var tiles: [Image] = []
        for cell in cells {
            let inner = cellSize - 2 * border
            let picture: Image
            // Decoded here, one by one and already at cell size: a damaged thumbnail becomes a grey
            // square instead of failing the sheet, and a 500-asset sheet holds ~80 MB, not more.
            if let small = try? { () throws -> Image in
                let thumb = try Image.open(cell.thumbnail).toSRGB8()
                return try thumb.resized(by: min(1, Double(inner) / Double(max(thumb.width, thumb.height)))).inMemory()
            }() {
                picture = try small.embedded(x: (inner - small.width) / 2, y: (inner - small.height) / 2,
                                             width: inner, height: inner, background: RGB(255, 255, 255))
            } else {
                // A missing thumbnail shows as an empty grey square rather than dropping the asset.
                picture = try Image.noise(width: inner, height: inner, sigma: 0).linear([0, 0, 0], [200, 200, 200]).castUChar()
            }
            let framed = try picture.embedded(x: border, y: border, width: cellSize, height: cellSize, background: cell.frame)
            let label = try Image.make("text") { ppv_text_label($0, cell.label, Int32(cellSize - 8), 72) }
            let labelled = try label.embedded(x: 4, y: 4, width: cellSize, height: labelHeight, background: RGB(255, 255, 255))
            tiles.append(try Image.make("join") { ppv_join_below(framed.pointer, labelled.pointer, $0) })
        }
        let grid = try join(tiles, across: min(columns, tiles.count), shim: 10)
        return try grid.embedded(x: 10, y: 10, width: grid.width + 20, height: grid.height + 20, background: RGB(255, 255, 255))
    }

    static func join(_ images: [Image], across: Int, shim: Int) throws -> Image {
        var pointers: [UnsafeMutablePointer<VipsImage>?] = images.map(\.pointer)
        return try withExtendedLifetime(images) {
            try Image.make("arrayjoin") { out in
                pointers.withUnsafeMutableBufferPointer { ppv_arrayjoin($0.baseAddress, Int32(images.count), out, Int32(across), Int32(shim)) }
            }
        }
    }
}
