//! Trees nest: a derived tree is a field of another, three levels deep, in a
//! crate that denies every warning.

#![deny(warnings)]

use supervisor::prelude::*;

#[supervised]
async fn leaf(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Inner {
    leaf: leaf,
}

#[derive(Supervisor)]
struct Middle {
    inner: Inner,
    #[child(id = "leaf-2")]
    leaf: leaf,
}

#[derive(Supervisor)]
struct Outer {
    #[child(restart = "transient")]
    middle: Middle,
    leaf: leaf,
}

fn main() {
    let outer = Outer::spec();
    outer.validate().unwrap();
    let middle = outer.children[0].tree.as_deref().unwrap();
    let inner = middle.children[0].tree.as_deref().unwrap();
    assert_eq!(inner.children[0].id, "leaf");
}
