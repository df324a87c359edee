//! A list that only grows, kept in every order its list endpoint offers as
//! items arrive, so a list request walks an order instead of sorting every
//! item.

use std::cmp::Ordering;
use std::ops::{Deref, DerefMut};

use crate::enums::SortOrder;

/// The orders a resource is listed in.
pub(crate) trait Orders: Sized + 'static {
    /// Each order, ascending and total (ties broken by `seq`, so creation
    /// order), comparing only fields that never change once an item exists.
    const ORDERS: &'static [fn(&Self, &Self) -> Ordering];
}

/// The items in creation order (what `Deref` gives), and for each of
/// [`Orders::ORDERS`] their positions ascending by it.
///
/// Items can be changed in place (`DerefMut`) but only added through
/// [`push`](Self::push) and never removed, which is how the API's resources
/// behave: findings and scans are never deleted.
#[derive(Debug, Clone)]
pub(crate) struct OrderedVec<T: Orders> {
    items: Vec<T>,
    orders: Vec<Vec<usize>>,
}

impl<T: Orders> Default for OrderedVec<T> {
    fn default() -> Self {
        OrderedVec {
            items: Vec::new(),
            orders: vec![Vec::new(); T::ORDERS.len()],
        }
    }
}

impl<T: Orders> OrderedVec<T> {
    /// Adds `item`, placing it in every order; returns its position.
    pub(crate) fn push(&mut self, item: T) -> usize {
        let position = self.items.len();
        for (positions, cmp) in self.orders.iter_mut().zip(T::ORDERS) {
            let at = positions.partition_point(|&i| cmp(&self.items[i], &item).is_lt());
            positions.insert(at, position);
        }
        self.items.push(item);
        position
    }

    /// Every item in order `which` (an index into [`Orders::ORDERS`]),
    /// ascending or descending.
    pub(crate) fn walk(&self, which: usize, order: SortOrder) -> impl Iterator<Item = &T> {
        let positions = &self.orders[which];
        let count = positions.len();
        (0..count).map(move |k| {
            let at = match order {
                SortOrder::Asc => k,
                SortOrder::Desc => count - 1 - k,
            };
            &self.items[positions[at]]
        })
    }
}

impl<T: Orders> Deref for OrderedVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T: Orders> DerefMut for OrderedVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(key, seq)`.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Item(u8, u32);

    impl Orders for Item {
        const ORDERS: &'static [fn(&Self, &Self) -> Ordering] = &[
            |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)),
            |a, b| a.1.cmp(&b.1),
        ];
    }

    #[test]
    fn every_order_matches_a_sort_of_everything() {
        let mut list = OrderedVec::default();
        // Keys out of order and repeated, as findings' dates and severities are.
        let keys = [5, 1, 5, 3, 1, 9, 0, 5, 3, 3];
        for (seq, key) in keys.into_iter().enumerate() {
            assert_eq!(list.push(Item(key, seq as u32)), seq);
        }
        for (which, cmp) in Item::ORDERS.iter().enumerate() {
            let mut sorted: Vec<Item> = list.to_vec();
            sorted.sort_by(cmp);
            let ascending: Vec<Item> = list.walk(which, SortOrder::Asc).copied().collect();
            assert_eq!(ascending, sorted, "order {which}");
            sorted.reverse();
            let descending: Vec<Item> = list.walk(which, SortOrder::Desc).copied().collect();
            assert_eq!(descending, sorted, "order {which}, descending");
        }
        assert_eq!(list.len(), keys.len(), "creation order is kept too");
        assert_eq!(list[1], Item(1, 1));
    }
}
