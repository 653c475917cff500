import Foundation

/// What the retouch stage measured and did to one asset, kept in its manifest.
public struct RetouchRecord: Codable, Sendable, Equatable {
    /// 0–1: how sure the stage is of its cut-out. Low values and any flag send the asset to a person.
    public var confidence: Double
    /// Named reasons the result needs a person (e.g. `low_contrast`, `transparent`, `reflective`).
    public var flags: [String]
    public var backdrop: Backdrop
    public var correction: Correction
    public var frame: Frame
    public var matte: Matte
    public var shadow: String
    /// The product-only alpha, beside the master (which also carries the shadow in its alpha).
    public var maskFile: String
    /// Milliseconds per step.
    public var timings: [String: Double]
    /// Measurements for the review gates (absent in manifests written before they existed).
    public var quality: Quality?

    public struct Backdrop: Codable, Sendable, Equatable {
        /// sRGB of the fitted sweep where the product stands, before correction.
        public var colour: [Double]
        /// CIELAB a*, b* of that colour: its cast.
        public var cast: [Double]
        /// RMS of the backdrop pixels around the fitted surface, relative to its level.
        public var fitResidual: Double
        /// Share of the frame read as backdrop (shadow included).
        public var coverage: Double
        public var coloured: Bool
        /// Observed backdrop pixels near the product after correction (sRGB): should be the target.
        public var corrected: [Double]
        public init(colour: [Double], cast: [Double], fitResidual: Double, coverage: Double, coloured: Bool, corrected: [Double]) {
            self.colour = colour; self.cast = cast; self.fitResidual = fitResidual
            self.coverage = coverage; self.coloured = coloured; self.corrected = corrected
        }
    }

    public struct Correction: Codable, Sendable, Equatable {
        /// Linear-light gains per channel that map the backdrop to the target white.
        public var gains: [Double]
        /// The exposure part of those gains, in EV (stops).
        public var exposureEV: Double
        /// Product pixels clipped at white: at 255 in the shot, or pushed past it by the correction (share of the product).
        public var clippedShare: Double
        /// CIEDE2000 between the product's mean colour before and after the correction.
        public var productDeltaE: Double?
        /// `capped`: the correction wanted more than its bounds allow; `highlights`: lowered so the product's
        /// highlights stay below white; `none`: no reliable backdrop, nothing corrected.
        public var limit: String?
        public init(gains: [Double], exposureEV: Double, clippedShare: Double, productDeltaE: Double? = nil, limit: String? = nil) {
            self.gains = gains; self.exposureEV = exposureEV; self.clippedShare = clippedShare
            self.productDeltaE = productDeltaE; self.limit = limit
        }
    }

    public struct Frame: Codable, Sendable, Equatable {
        /// The master's region in the oriented source, in source pixels: x, y, width, height.
        public var crop: [Int]
        /// Master pixels per source pixel (≤ 1: never upscaled).
        public var scale: Double
        /// Product bounding box in master pixels: x, y, width, height.
        public var productBox: [Int]
        /// Alpha-weighted centre of the product in master pixels.
        public var centroid: [Double]
        /// Free space around the product in the source frame, in source pixels: left, top, right, bottom.
        public var margins: [Int]
        /// Frame edges the product touches (cut off in the shot).
        public var touches: [String]
        public init(crop: [Int], scale: Double, productBox: [Int], centroid: [Double], margins: [Int], touches: [String]) {
            self.crop = crop; self.scale = scale; self.productBox = productBox
            self.centroid = centroid; self.margins = margins; self.touches = touches
        }
        public var productLongSide: Int { productBox.count == 4 ? max(productBox[2], productBox[3]) : 0 }
    }

    public struct Matte: Codable, Sendable, Equatable {
        /// Median ΔE76 between product and backdrop along the outline.
        public var edgeContrast: Double
        /// Share of the outline whose contrast is below `retouch.low_contrast_delta_e`.
        public var lowContrastShare: Double
        /// Product share of the frame.
        public var productShare: Double
        /// Share of the product's filled outline that looks like backdrop seen through it.
        public var seeThroughShare: Double
        /// Share of the product that is specular highlight: near clipping and brighter than the product around it.
        public var highlightShare: Double
        /// Which cut-out made the master: `keying` (the backdrop model) or `network` (the salient-object
        /// network, where keying was unsure). Absent in manifests written before the network existed.
        public var winner: String?
        /// IoU of keying and network at coarse scale (thin parts aside); nil when the network did not run.
        public var agreement: Double?
        /// Wall time of the network's run (load included on a worker's first asset), in milliseconds;
        /// it overlaps keying, so it is not one of the stage's timings.
        public var networkMs: Double?
        public init(edgeContrast: Double, lowContrastShare: Double, productShare: Double, seeThroughShare: Double, highlightShare: Double) {
            self.edgeContrast = edgeContrast; self.lowContrastShare = lowContrastShare; self.productShare = productShare
            self.seeThroughShare = seeThroughShare; self.highlightShare = highlightShare
        }
    }

    /// What the review gates judge that the fields above do not say.
    public struct Quality: Codable, Sendable, Equatable {
        /// Variance of the Laplacian of the product's alpha across its outline, in master pixels (0–255 units):
        /// a sharp outline steps from backdrop to product within a pixel or two, a blurred one ramps.
        /// Measured on the cut-out, not the texture, so a plain product and a patterned one compare.
        public var sharpness: Double
        /// Product pixels black in every channel in the shot (shadows crushed), share of the product.
        public var crushedShare: Double
        /// Parts of the cut-out detached from the product and much smaller than it (a prop, tape, a
        /// large speck): non-white in the master's background, as a share of the background.
        public var strayShare: Double
        public init(sharpness: Double, crushedShare: Double, strayShare: Double) {
            self.sharpness = sharpness; self.crushedShare = crushedShare; self.strayShare = strayShare
        }
    }

    public init(confidence: Double, flags: [String], backdrop: Backdrop, correction: Correction, frame: Frame,
                matte: Matte, shadow: String, maskFile: String, timings: [String: Double]) {
        self.confidence = confidence; self.flags = flags; self.backdrop = backdrop; self.correction = correction
        self.frame = frame; self.matte = matte; self.shadow = shadow; self.maskFile = maskFile; self.timings = timings
    }
}
