using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>The Fashion-MNIST tasks of Hands-On ML chapter 11: A (8 classes), B (sandal vs shirt) and all 10 classes.</summary>
public static class FashionMnistTasks
{
    /// <summary>The task names <see cref="Load"/> accepts.</summary>
    public const string Names = "A, B or all";

    /// <summary>Training pool, test set and class count of <paramref name="task"/> ("A", "B" or "all", any case).</summary>
    /// <exception cref="ArgumentException">Unknown task.</exception>
    public static (LabeledData Train, LabeledData Test, int Classes, string Description) Load(FashionMnist fashion, string task)
    {
        ArgumentNullException.ThrowIfNull(fashion);
        ArgumentNullException.ThrowIfNull(task);
        switch (task.ToUpperInvariant())
        {
            case "A":
                return (fashion.Train(FashionTask.A), fashion.Test(FashionTask.A), FashionMnist.ClassCount(FashionTask.A), "Fashion-MNIST task A");
            case "B":
                return (fashion.Train(FashionTask.B), fashion.Test(FashionTask.B), FashionMnist.ClassCount(FashionTask.B), "Fashion-MNIST task B");
            case "ALL":
                return (All(fashion.TrainImages, fashion.TrainLabels), All(fashion.TestImages, fashion.TestLabels), 10, "Fashion-MNIST (all 10 classes)");
            default:
                throw new ArgumentException($"Unknown Fashion-MNIST task '{task}': use {Names}.", nameof(task));
        }
    }

    /// <summary>Every image as pixels/255 with its label 0-9.</summary>
    public static LabeledData All(IdxImages images, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{images.Count} images but {labels.Length} labels.");
        var features = new float[images.Pixels.Length];
        for (var i = 0; i < features.Length; i++)
            features[i] = images.Pixels[i] / 255f;
        return new LabeledData(features, labels.Select(l => (int)l).ToArray(), images.ImageSize);
    }
}
