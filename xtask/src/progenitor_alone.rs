//! progenitor alone, the generator's peer in `cargo xtask bench`: the operations of a
//! description progenitor generates without the passes (`cut`), and its source for a
//! description (`run`, the hidden `cargo xtask progenitor-alone`).

use std::path::Path;

use crate::committed_file::write_atomically;
use crate::subset::read_upstream;

/// Writes what progenitor alone generates for the description `spec` to `out`.
pub fn run(spec: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let parsed: openapiv3::OpenAPI = serde_json::from_slice(&read_upstream(spec)?)
        .map_err(|e| format!("{} is not OpenAPI 3.0: {e}", spec.display()))?;
    let code = codegen::progenitor_alone::generate(&parsed)
        .map_err(|e| format!("progenitor alone fails on {}: {e}", spec.display()))?;
    write_atomically(out, &code).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(())
}

/// Writes to `out` the description `spec` with only the operations progenitor alone
/// generates (each tried alone); gives how many of how many.
pub fn cut(spec: &Path, out: &Path) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let doc: serde_json::Value = serde_json::from_slice(&read_upstream(spec)?)?;
    let total = codegen::progenitor_alone::operations(&doc).len();
    let generable = codegen::progenitor_alone::generable(&doc);
    let cut = codegen::progenitor_alone::keep(&doc, &generable);
    write_atomically(out, &serde_json::to_string(&cut)?)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok((generable.len(), total))
}
