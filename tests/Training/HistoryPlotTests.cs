namespace OnnxBn.Training.Tests;

public sealed class HistoryPlotTests
{
    [Fact]
    public void Marks_The_Restored_Epoch_And_Labels_Every_Axis()
    {
        var history = new TrainingHistory();
        for (var e = 1; e <= 5; e++)
            history.Add(new EpochRecord("frozen", e, 5, 1.0 / e, 0.5 + e / 20.0, 0.5 + Math.Abs(e - 3) / 10.0, 0.8, 0.01, 0.1));
        history.Add(new EpochRecord("fine-tune", 1, 2, 0.1, 0.9, 0.45, 0.85, 0.001, 0.1));
        history.EarlyStops["frozen"] = 3;
        history.RestoredEpochs["frozen"] = 3;
        var svg = HistoryPlot.ToSvg(history);
        var document = System.Xml.Linq.XDocument.Parse(svg);
        var texts = document.Descendants().Where(e => e.Name.LocalName == "text").ToArray();
        Assert.Equal(2, texts.Count(t => (string?)t.Attribute("class") == "x-label" && t.Value == "epoch (all phases, in order)"));
        Assert.Equal(["loss", "accuracy"], texts.Where(t => (string?)t.Attribute("class") == "y-label").Select(t => t.Value));
        var marks = document.Descendants().Where(e => (string?)e.Attribute("class") == "restored").ToArray();
        Assert.Equal(2, marks.Length);
        Assert.All(marks, m => Assert.Contains("restored: frozen epoch 3", m.Value));
        // The mark sits on epoch 3 of 6: x = left + 2/5 of the panel.
        var line = marks[0].Elements().First(e => e.Name.LocalName == "line");
        Assert.Equal(60 + 2 * 420.0 / 5, double.Parse((string)line.Attribute("x1")!, System.Globalization.CultureInfo.InvariantCulture), 2);
    }

    [Fact]
    public void Model_B_Names_Onnxbn_As_Producer_And_Keeps_Model_As_Producer()
    {
        var model = TransferModels.Mlp();
        using var transfer = TransferLearning.Prepare(model, new TransferOptions { Training = new TrainingOptions { Epochs = 1 } });
        var (train, validation, _) = transfer.ExtractFeatures(TransferModels.Data());
        var network = transfer.CreateNetwork(train.FeatureSize);
        var modelB = OnnxBn.Folding.OnnxModel.FromBytes(transfer.Export(network, transfer.Train(network, train, validation)).ToBytes());
        Assert.Equal("onnxbn", modelB.ProducerName);
        Assert.Equal(TransferLearning.ProducerVersion, modelB.ProducerVersion);
        Assert.Contains(modelB.Metadata, p => p.Key == "onnxbn.transfer.base_producer" && p.Value == (model.ProducerName + " " + model.ProducerVersion).Trim());
        Assert.Equal(13, modelB.OpsetVersion());
    }
}
