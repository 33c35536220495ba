use supervisor::prelude::*;

struct Server;

impl Server {
    #[supervised]
    async fn run(&self, ctx: ChildContext) {
        ctx.cancelled().await
    }
}

fn main() {}
