use supervisor::prelude::*;

#[supervised]
fn api(ctx: ChildContext) {
    let _ = ctx;
}

fn main() {}
