//! A counting global allocator: live and peak heap bytes, per thread, for the
//! threads that opt in. The client runs on the main thread (a current-thread
//! runtime, where the paginator's spawned page requests run too); the sandbox
//! runs on threads of its own, so its allocations stay out of the count.

// `GlobalAlloc` is an unsafe trait; every method forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub(crate) struct Counting;

struct Stats {
    tracked: Cell<bool>,
    live: Cell<isize>,
    peak: Cell<isize>,
}

thread_local! {
    // Const-initialized and without `Drop`: reading it never allocates, so
    // the allocator may use it.
    static STATS: Stats = const {
        Stats {
            tracked: Cell::new(false),
            live: Cell::new(0),
            peak: Cell::new(0),
        }
    };
}

fn record(delta: isize) {
    let _ = STATS.try_with(|s| {
        if s.tracked.get() {
            let live = s.live.get() + delta;
            s.live.set(live);
            if live > s.peak.get() {
                s.peak.set(live);
            }
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        record(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            record(new_size as isize - layout.size() as isize);
        }
        new
    }
}

/// Counts the allocations of the calling thread from now on.
pub(crate) fn track_this_thread() {
    STATS.with(|s| s.tracked.set(true));
}

/// Heap bytes allocated and not yet freed by this thread since it opted in
/// (memory freed here but allocated elsewhere makes it drift; only
/// differences over a short window mean anything).
pub(crate) fn live() -> isize {
    STATS.with(|s| s.live.get())
}

/// Starts a new peak window at the current live bytes.
pub(crate) fn reset_peak() {
    STATS.with(|s| s.peak.set(s.live.get()));
}

/// The highest live bytes since [`reset_peak`].
pub(crate) fn peak() -> isize {
    STATS.with(|s| s.peak.get())
}
