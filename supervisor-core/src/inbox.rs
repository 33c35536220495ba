//! A channel whose receiving end outlives the instances that read it.
//!
//! A child that owns a `tokio::sync::mpsc::Receiver` loses it, and every
//! message still queued in it, when it fails: the receiver is dropped with
//! the instance, the senders see the channel closed, and the restarted
//! instance has nothing to read. [`channel`] gives an [`Inbox`] instead,
//! which the tree keeps (in its state, or captured by the task factory) and
//! each instance borrows. Messages not yet received stay queued across a
//! restart; the senders, plain [`mpsc::Sender`]s, stay valid as long as the
//! inbox exists. This is the stable address an OTP process gets from its
//! registered name.
//!
//! Delivery is at most once: a message handed to an instance by
//! [`Inbox::recv`] is that instance's, and is lost if the instance fails
//! before it is done with it.

use std::{
    fmt,
    ops::{Deref, DerefMut},
    sync::Arc,
};

use tokio::sync::{Mutex, OwnedMutexGuard, mpsc};

/// Creates a bounded channel of `capacity` messages whose receiving end is
/// an [`Inbox`].
///
/// `Sender::send` waits while `capacity` messages are queued (tokio's
/// backpressure), so a reader that is restarting or slow never makes the
/// queue grow without bound.
///
/// # Panics
///
/// Panics if `capacity` is 0, as [`mpsc::channel`] does.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::inbox;
///
/// let (jobs, inbox) = inbox::channel::<u32>(64);
/// jobs.send(7).await.unwrap();
/// assert_eq!(inbox.recv().await, Some(7));
/// # }
/// ```
pub fn channel<T>(capacity: usize) -> (mpsc::Sender<T>, Inbox<T>) {
    let (sender, receiver) = mpsc::channel(capacity);
    let inbox = Inbox {
        receiver: Arc::new(Mutex::new(receiver)),
    };
    (sender, inbox)
}

/// The receiving end of a [`channel`], shared by the instances of the
/// child that reads it, one at a time.
///
/// Cloning an `Inbox` is cheap (one `Arc`) and every clone reads the same
/// queue, so it fits in a tree's state. Receiving is exclusive:
/// [`recv`](Self::recv) takes the inbox for one message, and
/// [`lock`](Self::lock) takes it for as long as the returned
/// [`InboxReceiver`] lives (typically the life of an instance). When an
/// instance stops, fails or is aborted, its `InboxReceiver` is dropped with
/// it and the next instance receives where it left off.
///
/// The channel closes (and `recv` returns `None`) once every sender is
/// dropped and the queue is empty.
///
/// # Examples
///
/// A worker whose queue survives its restarts:
///
/// ```
/// use supervisor_core::{ChildContext, ChildSpec, TaskRole, inbox::{self, Inbox}};
///
/// async fn worker(ctx: ChildContext, inbox: Inbox<String>) -> Result<(), std::io::Error> {
///     let mut jobs = inbox.lock().await;
///     loop {
///         tokio::select! {
///             _ = ctx.cancelled() => return Ok(()),
///             job = jobs.recv() => match job {
///                 Some(job) => println!("handling {job}"),
///                 None => return Ok(()), // every sender is gone
///             },
///         }
///     }
/// }
///
/// let (jobs, inbox) = inbox::channel::<String>(1024);
/// let spec = ChildSpec::new("worker", TaskRole::Worker, move |ctx| worker(ctx, inbox.clone()));
/// # let _ = (spec, jobs);
/// ```
pub struct Inbox<T> {
    receiver: Arc<Mutex<mpsc::Receiver<T>>>,
}

impl<T> Clone for Inbox<T> {
    fn clone(&self) -> Self {
        Inbox {
            receiver: Arc::clone(&self.receiver),
        }
    }
}

impl<T> fmt::Debug for Inbox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox").finish_non_exhaustive()
    }
}

impl<T> Inbox<T> {
    /// Receives the next message, waiting while the queue is empty or
    /// another holder has the inbox [locked](Self::lock). Returns `None`
    /// once every sender is dropped and the queue is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it returns a message
    /// (in a `tokio::select!` branch that lost, or with its instance), no
    /// message is taken from the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::inbox;
    ///
    /// let (tx, inbox) = inbox::channel(8);
    /// tx.send("a").await.unwrap();
    /// drop(tx);
    /// assert_eq!(inbox.recv().await, Some("a"));
    /// assert_eq!(inbox.recv().await, None);
    /// # }
    /// ```
    pub async fn recv(&self) -> Option<T> {
        self.receiver.lock().await.recv().await
    }

    /// Takes the next message if one is queued and nobody holds the inbox.
    ///
    /// # Errors
    ///
    /// [`mpsc::error::TryRecvError::Empty`] when no message is queued or
    /// another holder has the inbox locked; `Disconnected` once every sender
    /// is dropped and the queue is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::inbox;
    /// use tokio::sync::mpsc::error::TryRecvError;
    ///
    /// let (tx, inbox) = inbox::channel(8);
    /// assert_eq!(inbox.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// assert_eq!(inbox.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&self) -> Result<T, mpsc::error::TryRecvError> {
        match self.receiver.try_lock() {
            Ok(mut receiver) => receiver.try_recv(),
            Err(_) => Err(mpsc::error::TryRecvError::Empty),
        }
    }

    /// Takes the inbox for the caller alone until the returned
    /// [`InboxReceiver`] is dropped, waiting while another holder has it.
    /// An instance that reads for its whole life calls this once at its
    /// start; a restarted instance gets the inbox as soon as the previous
    /// one is gone.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future before it resolves takes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::inbox;
    ///
    /// let (tx, inbox) = inbox::channel(8);
    /// tx.send(1).await.unwrap();
    /// let mut receiver = inbox.lock().await;
    /// assert_eq!(receiver.recv().await, Some(1));
    /// // Another reader waits until `receiver` is dropped.
    /// assert!(inbox.try_recv().is_err());
    /// drop(receiver);
    /// # }
    /// ```
    pub async fn lock(&self) -> InboxReceiver<T> {
        InboxReceiver {
            guard: Arc::clone(&self.receiver).lock_owned().await,
        }
    }
}

/// Exclusive access to an [`Inbox`], from [`Inbox::lock`]: the tokio
/// [`mpsc::Receiver`] itself, through `Deref`, so `recv`, `recv_many`,
/// `try_recv` and `len` are tokio's.
///
/// Dropping it hands the inbox to the next holder. Calling `close` on it
/// closes the channel for good, for every later instance too.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::inbox;
///
/// let (tx, inbox) = inbox::channel(8);
/// for n in 0..3 {
///     tx.send(n).await.unwrap();
/// }
/// let mut receiver = inbox.lock().await;
/// let mut batch = Vec::new();
/// receiver.recv_many(&mut batch, 8).await;
/// assert_eq!(batch, [0, 1, 2]);
/// # }
/// ```
pub struct InboxReceiver<T> {
    guard: OwnedMutexGuard<mpsc::Receiver<T>>,
}

impl<T> Deref for InboxReceiver<T> {
    type Target = mpsc::Receiver<T>;

    fn deref(&self) -> &Self::Target {
        &self.guard
    }
}

impl<T> DerefMut for InboxReceiver<T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.guard
    }
}

impl<T> fmt::Debug for InboxReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboxReceiver")
            .field("queued", &self.guard.len())
            .finish()
    }
}
