//! `rbd ls --format json` and the other `rbd` outputs that list a pool's images.

use std::borrow::Cow;

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::owned::into_owned;
use crate::parse::model;

/// The RBD images of one pool (its default namespace), as `rbd ls --pool <pool> --format json`
/// prints them.
///
/// Three `rbd` outputs list the images of a pool with librbd's `list2`, and all three parse:
///
/// * `rbd ls --format json`: the names, `["img0","img1"]`;
/// * `rbd ls -l --format json`: one object per image (`image`, `id`, `size`, ...) and one per
///   snapshot (with `snapshot`);
/// * `rbd du --format json`: `{"images": [...]}`, one object per image (`name`, `id`,
///   `provisioned_size`, `used_size`) and one per snapshot (with `snapshot`), and totals.
///
/// Written back, the model takes the `rbd du` shape with the fields it keeps.
///
/// ```
/// use ceph_types::RbdImages;
///
/// let ls = RbdImages::parse(r#"["img0","img1"]"#)?;
/// let du = RbdImages::parse(r#"{"images":[{"name":"img0","id":"1068514050f9",
///     "provisioned_size":1073741824,"used_size":0},{"name":"img0","snapshot":"s1",
///     "id":"1068514050f9"},{"name":"img1","id":"106a74b078b6"}],
///     "total_provisioned_size":1073741824,"total_used_size":0}"#)?;
/// assert_eq!(ls.names().collect::<Vec<_>>(), ["img0", "img1"]);
/// assert_eq!(du.names().collect::<Vec<_>>(), ["img0", "img1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RbdImages<'a> {
    /// The images, and their snapshots where the output lists them, in the output's order.
    pub images: Vec<RbdImage<'a>>,
}

/// One image, or one snapshot of an image, in an [`RbdImages`] list.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RbdImage<'a> {
    /// The image's name.
    pub name: Cow<'a, str>,
    /// The image's id (absent from `rbd ls` without `-l`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Cow<'a, str>>,
    /// The snapshot's name, for an entry that is a snapshot of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Cow<'a, str>>,
}

impl RbdImages<'_> {
    /// The image names, each once, in the output's order (snapshot entries left out).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        // One pass with the names seen so far (a pool may hold thousands of images).
        let mut seen = std::collections::HashSet::new();
        self.images
            .iter()
            .filter(|image| image.snapshot.is_none())
            .map(|image| image.name.as_ref())
            .filter(move |name| seen.insert(*name))
    }
}

/// A string that borrows from the input where it can.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for RbdImages<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ImagesVisitor(PhantomData))
    }
}

/// Reads the `rbd ls` lists and the `rbd du` object.
struct ImagesVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ImagesVisitor<'a> {
    type Value = RbdImages<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of images or an object with `images`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // No capacity from the input's size hint: the list grows as it is read.
        let mut images = Vec::new();
        while let Some(image) = seq.next_element::<RbdImage<'a>>()? {
            images.push(image);
        }
        Ok(RbdImages { images })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut images = None;
        // Keys read as `Cow` (not `Text`), so that error paths name them.
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "images" {
                images = Some(map.next_value::<Vec<RbdImage<'a>>>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        images
            .map(|images| RbdImages { images })
            .ok_or_else(|| de::Error::missing_field("images"))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RbdImage<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ImageVisitor(PhantomData))
    }
}

/// Reads one entry: a name (`rbd ls`), or an object with `image` (`rbd ls -l`) or `name`
/// (`rbd du`, and the model written back).
struct ImageVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ImageVisitor<'a> {
    type Value = RbdImage<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an image name or an image object")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(RbdImage {
            name: Cow::Borrowed(v),
            id: None,
            snapshot: None,
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(RbdImage {
            name: Cow::Owned(v.to_owned()),
            id: None,
            snapshot: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut name, mut id, mut snapshot) = (None, None, None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "name" | "image" => name = Some(map.next_value::<Text<'a>>()?.0),
                "id" => id = Some(map.next_value::<Text<'a>>()?.0),
                "snapshot" => snapshot = Some(map.next_value::<Text<'a>>()?.0),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let name = name.ok_or_else(|| de::Error::missing_field("name"))?;
        Ok(RbdImage { name, id, snapshot })
    }
}

into_owned!(RbdImages<'a> { images });
into_owned!(RbdImage<'a> { name, id, snapshot });
model!(RbdImages<'a>, RbdLs);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_lists_the_images_once() {
        let cases = [
            (r#"[]"#, vec![]),
            (r#"["a","b"]"#, vec!["a", "b"]),
            (
                r#"[{"image":"a","id":"1","size":1024,"format":2},
                    {"image":"a","id":"1","snapshot":"s","snapshot_id":4,"size":1024},
                    {"image":"b","id":"2","size":1,"format":2,"lock_type":"exclusive"}]"#,
                vec!["a", "b"],
            ),
            (
                r#"{"images":[{"name":"a","snapshot":"s","id":"1","provisioned_size":1},
                    {"name":"a","id":"1","provisioned_size":1,"used_size":0}],
                    "total_provisioned_size":1,"total_used_size":0}"#,
                vec!["a"],
            ),
            (r#"{"images":[]}"#, vec![]),
            (r#"["esc\"aped","a"]"#, vec!["esc\"aped", "a"]),
        ];
        for (text, want) in cases {
            let images = RbdImages::parse(text).unwrap();
            assert_eq!(images.names().collect::<Vec<_>>(), want, "{text}");
            let back = serde_json::to_string(&images).unwrap();
            assert_eq!(RbdImages::parse(&back).unwrap(), images, "{back}");
        }
    }

    #[test]
    fn other_shapes_are_errors() {
        for text in [
            r#"{"pools":[]}"#,
            r#"[1,2]"#,
            r#""img0""#,
            r#"[{"id":"a"}]"#,
            "[[]]",
        ] {
            assert!(RbdImages::parse(text).is_err(), "{text}");
        }
    }
}
