//! Turning borrowed models into owned (`'static`) ones.

use std::borrow::Cow;

/// Converts a value that may borrow from the parsed text into one that owns all its data.
///
/// Models borrow their strings from the input (`Cow::Borrowed`); `into_owned` copies those
/// strings so the model can outlive the input, e.g. to keep it in a cache between scrapes.
///
/// ```
/// use ceph_types::{IntoOwned, PerfDump, PerfValue};
///
/// let owned: PerfDump<'static> = {
///     let text = String::from(r#"{"osd": {"op_r": 3}}"#);
///     PerfDump::parse(&text)?.into_owned()
/// };
/// assert_eq!(owned.get("osd", "op_r"), Some(&PerfValue::Uint(3)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait IntoOwned {
    /// The owned form of the type, usually the same type with the `'static` lifetime.
    type Owned: 'static;

    /// Converts `self` into its owned form, copying borrowed strings.
    fn into_owned(self) -> Self::Owned;
}

impl IntoOwned for Cow<'_, str> {
    type Owned = Cow<'static, str>;

    fn into_owned(self) -> Cow<'static, str> {
        match self {
            Cow::Borrowed(s) => Cow::Owned(s.to_owned()),
            Cow::Owned(s) => Cow::Owned(s),
        }
    }
}

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;

    fn into_owned(self) -> Self::Owned {
        self.map(IntoOwned::into_owned)
    }
}

impl<T: IntoOwned> IntoOwned for Vec<T> {
    type Owned = Vec<T::Owned>;

    fn into_owned(self) -> Self::Owned {
        self.into_iter().map(IntoOwned::into_owned).collect()
    }
}

impl<T: IntoOwned> IntoOwned for Box<T> {
    type Owned = Box<T::Owned>;

    fn into_owned(self) -> Self::Owned {
        Box::new((*self).into_owned())
    }
}

/// `IntoOwned` for types that own their data already.
macro_rules! owned_as_is {
    ($($t:ty),* $(,)?) => {
        $(
            impl IntoOwned for $t {
                type Owned = $t;

                fn into_owned(self) -> $t {
                    self
                }
            }
        )*
    };
}

owned_as_is!(
    bool, u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, String
);

/// Implements [`IntoOwned`] for a struct, field by field. With `<'a>` the struct borrows and
/// its owned form is the `'static` instance; without, the struct is its own owned form.
macro_rules! into_owned {
    ($name:ident<'a> { $($field:ident),* $(,)? }) => {
        impl<'a> $crate::IntoOwned for $name<'a> {
            type Owned = $name<'static>;

            fn into_owned(self) -> $name<'static> {
                $name { $($field: $crate::IntoOwned::into_owned(self.$field)),* }
            }
        }
    };
    ($($name:ident),* $(,)?) => {
        $(
            impl $crate::IntoOwned for $name {
                type Owned = $name;

                fn into_owned(self) -> $name {
                    self
                }
            }
        )*
    };
}

pub(crate) use into_owned;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_copies_borrowed() {
        let text = String::from("abc");
        let v: Vec<Option<Cow<'_, str>>> = vec![Some(Cow::Borrowed(&text)), None];
        let o: Vec<Option<Cow<'static, str>>> = v.into_owned();
        drop(text);
        assert!(matches!(o[0], Some(Cow::Owned(ref s)) if s == "abc"));
        assert_eq!(Box::new(3u8).into_owned(), Box::new(3));
        assert_eq!(String::from("x").into_owned(), "x");
    }
}
