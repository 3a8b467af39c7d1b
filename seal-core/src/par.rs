//! Work over many items: on every core with the `parallel` feature (rayon), in turn without.

/// `f(index, item)` for every item, results in the items' order.
pub(crate) fn map_indexed<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(usize, &T) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter().enumerate().map(|(i, t)| f(i, t)).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().enumerate().map(|(i, t)| f(i, t)).collect()
    }
}

/// [`map_indexed`] with at least `width` items in flight at once (threads beyond the cores,
/// for work that mostly waits, such as signatures from a remote service).
pub(crate) fn map_indexed_wide<T: Sync, R: Send>(
    items: &[T],
    width: usize,
    f: impl Fn(usize, &T) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(feature = "parallel")]
    if width > rayon::current_num_threads() {
        use rayon::prelude::*;
        if let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(width).build() {
            return pool.install(|| items.par_iter().enumerate().map(|(i, t)| f(i, t)).collect());
        }
    }
    let _ = width;
    map_indexed(items, f)
}

/// `f(item)` for every item, taking each, results in the items' order.
#[cfg(feature = "licence-batch")]
pub(crate) fn map_owned<T: Send, R: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.into_iter().map(f).collect()
    }
}
