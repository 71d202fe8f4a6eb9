namespace OnnxBn.Serving.Codecs;

/// <summary>Something in a request makes it unanswerable; the message is the one-line reason the client gets (400).</summary>
public sealed class BadRequestException(string reason) : Exception(reason);
